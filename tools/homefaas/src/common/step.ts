import type { Logger } from '@homefaas/core';

/** What an idempotent `ensureX` step did: `changed` is false when it found everything in place. */
export interface StepResult {
  name: string;
  changed: boolean;
  detail: string;
}

/** Prints one line per step: `✔ name: detail` when unchanged, `↻ name: detail` when it changed something. */
export function reportStep(logger: Logger, result: StepResult): StepResult {
  logger.info(`${result.changed ? '↻' : '✔'} ${result.name}: ${result.detail}`);
  return result;
}
