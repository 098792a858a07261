import { setTimeout as delay } from 'node:timers/promises';
import type { Handler } from '../types';

/** Takes `?ms=` milliseconds; says on stdout when a call starts, so a test knows it is in flight. */
export const handler: Handler = async (event) => {
  process.stdout.write(`started ${event.path}\n`);
  await delay(Number(event.query.ms ?? 0));
  return `done ${event.path}`;
};
