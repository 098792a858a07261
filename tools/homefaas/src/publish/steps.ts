import type { Logger } from '@homefaas/core';
import type { StepResult } from '../common/step';
import type { PublishContext } from './context';
import { type FunctionState, live } from './outcome';

/**
 * Functions whose registry requests run at once (up to three each: the content tag, latest, the git sha).
 * Each request costs the registry a password check: a few at a time measured faster than many.
 */
export const REGISTRY_REQUESTS_AT_ONCE = 4;

/** One line a plan reports: about the run (no state) or about one function. */
export interface PlanLine {
  state?: FunctionState;
  result: StepResult;
}

/** What a step's plan found: lines to show, whether there is anything to do, and what `apply` needs. */
export interface Planned<T> {
  /** `changed: false` lines say what is in place; `changed: true` lines say what would be done. */
  lines: PlanLine[];
  /** Something to do: `apply` runs (unless this is a dry run). */
  work: boolean;
  data: T;
}

/**
 * A step of publish: `plan` only reads (files, the engine, the registry, the gateway) and says what it
 * found and what it would do; `apply` does that and reports what it did. A dry run is the plans alone.
 */
export interface Step<T = unknown> {
  readonly name: string;
  plan(context: PublishContext): Promise<Planned<T>>;
  apply(context: PublishContext, data: T): Promise<void>;
}

/**
 * Runs the steps in order. A step's plan lines that need no work are shown as they are; on a dry run the
 * lines of what would be done too, and nothing is applied. Steps stop when no function is left to publish.
 */
export async function runSteps(context: PublishContext, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    if (live(context.states).length === 0) return;
    const planned = await step.plan(context);
    for (const line of planned.lines) {
      if (context.run.dryRun || !line.result.changed) context.report(line.result, line.state);
    }
    if (planned.work && !context.run.dryRun) await step.apply(context, planned.data);
  }
}

/** Runs `body` for each item, at most `limit` at a time, in order of the items. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  body: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await body(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Runs `body` for each function state, at most `limit` at a time; an error fails that function only. */
export function perFunction(
  context: PublishContext,
  states: readonly FunctionState[],
  step: string,
  limit: number,
  body: (state: FunctionState) => Promise<void>,
): Promise<void> {
  return forEachLimit(states, limit, async (state) => {
    try {
      await body(state);
    } catch (error) {
      context.fail(state, step, error);
    }
  });
}

/** A logger for the libraries a shared step calls: their report lines join the run's shared output. */
export function sharedStepLogger(context: PublishContext): Logger {
  return {
    info: (message) => {
      context.logger.info(message);
      context.sharedLines.push(message);
    },
    warn: (message) => context.warn(message),
    progress: (message) => context.logger.progress(message),
  };
}
