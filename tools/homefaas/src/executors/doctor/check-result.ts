import { errorMessage, isHomefaasError } from '@homefaas/core';
import { REGISTRY_UP_COMMAND } from '../../registry/registry-layout';

/** One line of the doctor's report. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when it failed. */
  hint?: string;
}

/** The usual fix: converge everything. */
export const FIX = `Run ${REGISTRY_UP_COMMAND}.`;

/** A failed check that shows the error's message and hint. */
export function failed(name: string, error: unknown): CheckResult {
  return {
    name,
    ok: false,
    detail: errorMessage(error),
    hint: isHomefaasError(error) ? error.hint : undefined,
  };
}

/** The outcome of something that may throw, kept to be reported rather than stopping the report. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `action` and keeps its value or its error. */
export async function settle<T>(action: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return { ok: false, error };
  }
}
