import type { FunctionContext, ResponseHeaders } from './types';

/** The first answer given through a context, with the status and headers as they were at that moment. */
export type ContextOutcome = (
  | { readonly kind: 'succeed'; readonly value: unknown }
  | { readonly kind: 'fail'; readonly error: unknown }
) & { readonly status: number; readonly headers: ResponseHeaders };

/** A context plus what the runtime needs from it. */
export interface CallContext extends FunctionContext {
  /** Resolves with the first `succeed` or `fail`; later ones are ignored. */
  readonly answered: Promise<ContextOutcome>;
}

/** Creates the `context` of one call; `signal` is aborted by the runtime when the call is given up. */
export function createFunctionContext(signal: AbortSignal): CallContext {
  let statusCode = 200;
  let headerValues: ResponseHeaders = {};
  let done = false;
  let announce: (outcome: ContextOutcome) => void = () => {};
  const answered = new Promise<ContextOutcome>((resolve) => {
    announce = resolve;
  });

  const context: CallContext = {
    status: ((code?: number) => {
      if (code === undefined) return statusCode;
      statusCode = code;
      return context;
    }) as CallContext['status'],
    headers: ((values?: ResponseHeaders) => {
      if (values === undefined) return headerValues;
      headerValues = values;
      return context;
    }) as CallContext['headers'],
    succeed: (value) => {
      if (done) return;
      done = true;
      announce({ kind: 'succeed', value, status: statusCode, headers: headerValues });
    },
    fail: (error) => {
      if (done) return;
      done = true;
      announce({ kind: 'fail', error, status: statusCode === 200 ? 500 : statusCode, headers: headerValues });
    },
    signal,
    answered,
  };
  return context;
}
