import { setTimeout as delay } from 'node:timers/promises';
import type { Handler } from '../types';

/**
 * Takes `?ms=` milliseconds; says on stdout when a call starts, so a test knows it is in flight.
 * `/throw` throws from a timer 50 ms after the call starts; `/reject` leaves a rejected promise that
 * nothing handles.
 */
export const handler: Handler = async (event) => {
  process.stdout.write(`started ${event.path}\n`);
  if (event.path === '/throw') {
    setTimeout(() => {
      throw new Error('thrown from a timer');
    }, 50);
  }
  if (event.path === '/reject') void Promise.reject(new Error('a rejection nobody handles'));
  await delay(Number(event.query.ms ?? 0));
  return `done ${event.path}`;
};
