import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  bodyLimit,
  hasBody,
  mediaTypeOf,
  NO_BODY,
  parseBody,
  parseForm,
  type ReadBodyResult,
  readBody,
} from './body';
import { callTimeout } from './call-timeout';
import type { ResolvedRuntimeConfig } from './config';
import { type ContextOutcome, type ContextOwner, createFunctionContext } from './context';
import { formatDuration } from './duration';
import { describeError, type RuntimeLogger } from './logger';
import { splitRequestTarget } from './request-target';
import { planAnswer, planText, type ResponsePlan, writePlan } from './respond';
import type { AnyHandler, FunctionEvent } from './types';

/** What a call needs from the server around it: one object, shared by every call. */
export interface CallOptions {
  readonly handler: AnyHandler;
  readonly config: ResolvedRuntimeConfig;
  readonly logger: RuntimeLogger;
  /** True once the server drains: answers then ask the client to close its connection. */
  draining(): boolean;
  /** Called once per call, when its response closes, answered or not. */
  ended(res: ServerResponse): void;
}

/** A running call, as the server sees it. */
export interface CallHandle {
  /** Answers 400 while the call still reads its body, which cannot be parsed. True if it did. */
  malformed(): boolean;
}

type Outcome =
  | ContextOutcome
  | { readonly kind: 'throw'; readonly error: unknown }
  | { readonly kind: 'timeout' };

/** reading the body → running the handler → answered → closed; a call may close at any step. */
type Phase = 'reading' | 'running' | 'answered' | 'closed';

/**
 * Runs one function call: reads and parses the body within `read_timeout`, runs the handler within the
 * call's exec timeout, answers, and logs one line. `write_timeout`, counted from the request's arrival,
 * bounds it all: when it passes, the connection is closed, as Go's http.Server does for of-watchdog.
 */
export function runCall(req: IncomingMessage, res: ServerResponse, options: CallOptions): CallHandle {
  const call = new FunctionCall(req, res, options);
  call.start();
  return call;
}

// Calls whose handler started in this turn of the event loop, waiting for their timer. Most handlers
// answer before the turn ends, and then need none: setting and clearing a timer for each of them would
// cost more than all the runtime's other work for a call.
let unarmed: FunctionCall[] = [];

function armAfterThisTurn(call: FunctionCall): void {
  if (unarmed.length === 0) setImmediate(armUnarmed);
  unarmed.push(call);
}

function armUnarmed(): void {
  const calls = unarmed;
  unarmed = [];
  for (const call of calls) call.armTimer();
}

// One object per call holds its state, and one timer serves all its deadlines: the runtime adds as
// little as it can to what Node does for each request.
class FunctionCall implements ContextOwner, CallHandle {
  private readonly started = performance.now();
  private readonly path: string;
  private readonly query: string;
  private phase: Phase = 'reading';
  private timer: NodeJS.Timeout | undefined;
  private readDeadline = Number.POSITIVE_INFINITY;
  private execDeadline = Number.POSITIVE_INFINITY;
  private readonly writeDeadline: number;
  private timeoutMs = 0;
  private stopReading: ((result: ReadBodyResult) => void) | undefined;
  private controller: AbortController | undefined;
  private givenUp = false;
  private lost = 'client closed the connection';

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: CallOptions,
  ) {
    const target = splitRequestTarget(req.url ?? '/');
    this.path = target.path;
    this.query = target.query;
    this.writeDeadline = this.started + options.config.writeTimeoutMs;
  }

  start(): void {
    this.res.on('close', this.onClose);
    if (!hasBody(this.req)) {
      this.onBody({ ok: true, bytes: NO_BODY });
      return;
    }
    const { config } = this.options;
    if (config.readTimeoutMs > 0) this.readDeadline = this.started + config.readTimeoutMs;
    this.armTimer();
    const limit = bodyLimit(mediaTypeOf(this.req.headers['content-type']), config);
    const stop = readBody(this.req, limit, (read) => this.onBody(read));
    if (this.phase === 'reading') this.stopReading = stop;
  }

  signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.givenUp) this.controller.abort();
    return this.controller.signal;
  }

  answer(outcome: ContextOutcome): void {
    this.settle(outcome);
  }

  malformed(): boolean {
    if (this.stopReading === undefined) return false;
    this.stopReading({ ok: false, status: 400 });
    return true;
  }

  private onBody(read: ReadBodyResult): void {
    this.stopReading = undefined;
    if (this.phase !== 'reading') return;
    if (!read.ok) {
      // Status 0: the client left; the close of its connection logs the call.
      if (read.status === 0) this.phase = 'closed';
      else this.send(planText(read.status), true);
      return;
    }
    const { config } = this.options;
    const contentType = this.req.headers['content-type'];
    const parsed = parseBody(read.bytes, contentType, config.rawBody);
    if (!parsed.ok) {
      this.send(planText(parsed.status, parsed.message));
      return;
    }
    const event: FunctionEvent = {
      body: parsed.body,
      headers: this.req.headers,
      method: this.req.method ?? 'GET',
      query: this.query === '' ? {} : parseForm(this.query),
      path: this.path,
    };
    this.timeoutMs = callTimeout(config.execTimeoutMs, this.req.headers['x-timeout']);
    if (this.timeoutMs > 0) this.execDeadline = performance.now() + this.timeoutMs;
    this.phase = 'running';
    clearTimeout(this.timer);
    armAfterThisTurn(this);
    this.run(event);
  }

  /** Calls the handler; a throw before it returns counts like a rejection, and the first answer wins. */
  private run(event: FunctionEvent): void {
    const context = createFunctionContext(this);
    try {
      const value = this.options.handler(event as FunctionEvent<never>, context);
      if (isThenable(value)) {
        Promise.resolve(value).then(
          (resolved) => context.succeed(resolved),
          (error: unknown) => this.settle({ kind: 'throw', error }),
        );
        return;
      }
      context.succeed(value);
    } catch (error) {
      this.settle({ kind: 'throw', error });
    }
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const now = performance.now();
    if (now >= this.writeDeadline) {
      this.lost = `write_timeout ${formatDuration(this.options.config.writeTimeoutMs)} passed`;
      this.res.destroy();
      return;
    }
    if (this.phase === 'reading' && now >= this.readDeadline) this.stopReading?.({ ok: false, status: 408 });
    else if (this.phase === 'running' && now >= this.execDeadline) this.settle({ kind: 'timeout' });
    this.armTimer();
  };

  private readonly onClose = (): void => {
    clearTimeout(this.timer);
    this.phase = 'closed';
    this.giveUp();
    const ms = Math.round(performance.now() - this.started);
    const status = this.res.writableFinished ? String(this.res.statusCode) : `- (no response: ${this.lost})`;
    this.options.logger.info(`${this.req.method ?? 'GET'} ${this.path} ${status} ${ms}ms`);
    this.options.ended(this.res);
  };

  /** Sets the one timer to the nearest deadline of the current phase; none once the answer is out. */
  armTimer(): void {
    clearTimeout(this.timer);
    const next =
      this.phase === 'reading'
        ? Math.min(this.readDeadline, this.writeDeadline)
        : this.phase === 'running'
          ? Math.min(this.execDeadline, this.writeDeadline)
          : this.phase === 'answered' && !this.res.writableFinished
            ? this.writeDeadline
            : Number.POSITIVE_INFINITY;
    if (next === Number.POSITIVE_INFINITY) return;
    // Timers may fire a little before the deadline by this clock; onTimer then sets a new one.
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(next - performance.now())));
  }

  private settle(outcome: Outcome): void {
    if (this.phase !== 'running') return;
    if (outcome.kind === 'timeout') this.giveUp();
    this.send(planOutcome(outcome, this.timeoutMs, this.options.logger));
  }

  private send(plan: ResponsePlan, close = false): void {
    this.phase = 'answered';
    if (this.res.headersSent || this.res.destroyed) return;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(6);
    writePlan(this.res, plan, { seconds, close: close || this.options.draining() });
  }

  /** The runtime stops waiting for the handler: its signal, if it asked for one, is aborted. */
  private giveUp(): void {
    if (this.givenUp) return;
    this.givenUp = true;
    this.controller?.abort();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function planOutcome(outcome: Outcome, timeoutMs: number, logger: RuntimeLogger): ResponsePlan {
  switch (outcome.kind) {
    case 'timeout':
      logger.warn(`the handler did not answer within ${formatDuration(timeoutMs)}`);
      return planText(504, `The function did not answer within ${formatDuration(timeoutMs)}.`);
    case 'throw':
      logger.warn(`the handler threw: ${describeError(outcome.error)}`);
      return planText(500);
    case 'fail':
      if (typeof outcome.error !== 'string')
        logger.warn(`the handler failed: ${describeError(outcome.error)}`);
      return safely(failureBody(outcome), outcome, logger);
    case 'succeed':
      return safely(outcome.value, outcome, logger);
  }
}

function failureBody(outcome: ContextOutcome & { kind: 'fail' }): string {
  return typeof outcome.error === 'string' ? outcome.error : `${planText(outcome.status).body}`;
}

/** Plans the handler's answer, or a 500 when it cannot be sent. */
function safely(value: unknown, outcome: ContextOutcome, logger: RuntimeLogger): ResponsePlan {
  try {
    return planAnswer(value, outcome.status, outcome.headers);
  } catch (error) {
    logger.warn(`the handler's answer cannot be sent: ${describeError(error)}`);
    return planText(500);
  }
}
