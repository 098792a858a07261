import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { bodyLimit, mediaTypeOf, parseBody, parseForm, readBody } from './body';
import { callTimeout } from './call-timeout';
import type { ResolvedRuntimeConfig } from './config';
import { type ContextOutcome, createFunctionContext } from './context';
import { formatDuration } from './duration';
import { describeError, type RuntimeLogger } from './logger';
import { planAnswer, planText, type ResponsePlan, writePlan } from './respond';
import type { AnyHandler, FunctionEvent } from './types';

/** What a call needs from the server around it. */
export interface CallOptions {
  readonly handler: AnyHandler;
  readonly config: ResolvedRuntimeConfig;
  readonly logger: RuntimeLogger;
  /** True once the server drains: answers then ask the client to close its connection. */
  readonly draining: () => boolean;
}

type Outcome =
  | ContextOutcome
  | { readonly kind: 'throw'; readonly error: unknown }
  | { readonly kind: 'timeout' };

/**
 * Runs one function call: reads and parses the body within `read_timeout`, runs the handler within the
 * call's exec timeout, answers, and logs one line. `write_timeout`, counted from the request's arrival,
 * bounds it all: when it passes, the connection is closed, as Go's http.Server does for of-watchdog.
 */
export async function runCall(
  req: IncomingMessage,
  res: ServerResponse,
  options: CallOptions,
): Promise<void> {
  const { config, logger } = options;
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://function');
  const method = req.method ?? 'GET';
  let lost = 'client closed the connection';

  const writeTimer = setTimeout(() => {
    lost = `write_timeout ${formatDuration(config.writeTimeoutMs)} passed`;
    res.destroy();
  }, config.writeTimeoutMs);
  res.once('close', () => {
    clearTimeout(writeTimer);
    const ms = Math.round(performance.now() - started);
    const status = res.writableFinished ? String(res.statusCode) : `- (no response: ${lost})`;
    logger.info(`${method} ${url.pathname} ${status} ${ms}ms`);
  });

  const send = (plan: ResponsePlan, close = false): void => {
    if (res.headersSent || res.destroyed) return;
    const own: Record<string, string> = {
      'x-duration-seconds': ((performance.now() - started) / 1000).toFixed(6),
    };
    if (close || options.draining()) own.connection = 'close';
    writePlan(res, plan, own);
  };

  const contentType = req.headers['content-type'];
  const read = await readBody(req, bodyLimit(mediaTypeOf(contentType), config), config.readTimeoutMs);
  if (!read.ok) {
    if (read.status !== 0) send(planText(read.status), true);
    return;
  }
  const parsed = parseBody(read.bytes, contentType, config.rawBody);
  if (!parsed.ok) {
    send(planText(parsed.status, parsed.message));
    return;
  }

  const event: FunctionEvent = {
    body: parsed.body,
    headers: req.headers,
    method,
    query: parseForm(url.search.slice(1)),
    path: url.pathname,
  };
  const timeoutMs = callTimeout(config.execTimeoutMs, req.headers['x-timeout']);
  const outcome = await runHandler(options.handler, event, timeoutMs, res);
  send(planOutcome(outcome, timeoutMs, logger));
}

async function runHandler(
  handler: AnyHandler,
  event: FunctionEvent,
  timeoutMs: number,
  res: ServerResponse,
): Promise<Outcome> {
  const abort = new AbortController();
  const context = createFunctionContext(abort.signal);
  res.once('close', () => abort.abort());
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    if (timeoutMs > 0) timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    context.answered.then(resolve);
    // Through a promise, so a handler that throws before returning counts like one that rejects.
    Promise.resolve()
      .then(() => handler(event as FunctionEvent<never>, context))
      .then(
        (value) => context.succeed(value),
        (error: unknown) => resolve({ kind: 'throw', error }),
      );
  });
  clearTimeout(timer);
  if (outcome.kind === 'timeout') abort.abort();
  return outcome;
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
      return safely(() => planAnswer(failureBody(outcome), outcome.status, outcome.headers), logger);
    case 'succeed':
      return safely(() => planAnswer(outcome.value, outcome.status, outcome.headers), logger);
  }
}

function failureBody(outcome: ContextOutcome & { kind: 'fail' }): string {
  return typeof outcome.error === 'string' ? outcome.error : `${planText(outcome.status).body}`;
}

function safely(plan: () => ResponsePlan, logger: RuntimeLogger): ResponsePlan {
  try {
    return plan();
  } catch (error) {
    logger.warn(`the handler's answer cannot be sent: ${describeError(error)}`);
    return planText(500);
  }
}
