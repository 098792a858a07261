import { setTimeout as sleep } from 'node:timers/promises';
import { type FunctionStatus, notReadyError } from '@homefaas/gateway-client';
import { type FunctionState, live } from '../publish/outcome';
import type { PlanLine, Step } from '../publish/steps';
import { readyDetail } from './deploy-function';
import { listRunning } from './deploy-step';

/** How often the wait says where each function is. */
const PROGRESS_EVERY_MS = 5000;

/**
 * Every deployed function has an available replica: one already running its image is confirmed from the
 * listing the deploy step read; the others are waited for together, each bounded by its ready timeout, by
 * reading `GET /system/functions` once per namespace per interval, with progress.
 */
export const readyStep: Step<FunctionState[]> = {
  name: 'ready',
  async plan(context) {
    const lines: PlanLine[] = [];
    const waiting: FunctionState[] = [];
    for (const state of live(context.states)) {
      if (state.deploy === 'skipped') continue;
      const current = state.current;
      if (state.deploy === 'unchanged' && current && (current.availableReplicas ?? 0) > 0) {
        state.ready = 'ready';
        lines.push({ state, result: { name: 'ready', changed: false, detail: readyDetail(current) } });
        continue;
      }
      state.ready = 'would wait';
      waiting.push(state);
      const detail = `would wait up to ${state.input.readyTimeoutMs / 1000} s for an available replica`;
      lines.push({ state, result: { name: 'ready', changed: true, detail } });
    }
    return { lines, work: waiting.length > 0, data: waiting };
  },
  async apply(context, waiting) {
    const client = await context.gateway();
    const started = Date.now();
    let left = live(waiting);
    let lastProgress = -PROGRESS_EVERY_MS;
    while (left.length > 0) {
      const running = await listRunning(client, left);
      const elapsed = Date.now() - started;
      const showProgress = elapsed - lastProgress >= PROGRESS_EVERY_MS;
      if (showProgress) lastProgress = elapsed;
      left = left.filter((state) => {
        const { name, fn, readyTimeoutMs } = state.input;
        const status = running.get(fn.namespace ?? '')?.get(name);
        if (status && (status.availableReplicas ?? 0) > 0) {
          state.ready = 'ready';
          context.report({ name: 'ready', changed: false, detail: readyDetail(status) }, state);
          return false;
        }
        if (elapsed + context.run.readyIntervalMs > readyTimeoutMs) {
          state.ready = 'failed';
          context.fail(state, 'ready', notReadyError(name, readyTimeoutMs, status, fn.namespace));
          return false;
        }
        if (showProgress) context.logger.progress(waitingLine(state, status, elapsed));
        return true;
      });
      if (left.length > 0) await sleep(context.run.readyIntervalMs);
    }
  },
};

function waitingLine(state: FunctionState, status: FunctionStatus | undefined, elapsedMs: number): string {
  const { name, readyTimeoutMs } = state.input;
  const seconds = `${Math.round(elapsedMs / 1000)} s of at most ${readyTimeoutMs / 1000} s`;
  return status === undefined
    ? `waiting for ${name} to appear (${seconds})`
    : `waiting for ${name}: ${status.availableReplicas ?? 0} of ${status.replicas ?? 0} replicas available (${seconds})`;
}
