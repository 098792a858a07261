import type { FunctionContext, ResponseHeaders } from './types';

/** The first answer given through a context, with the status and headers as they were at that moment. */
export type ContextOutcome = (
  | { readonly kind: 'succeed'; readonly value: unknown }
  | { readonly kind: 'fail'; readonly error: unknown }
) & { readonly status: number; readonly headers: ResponseHeaders };

/** What a context needs from its call. */
export interface ContextOwner {
  /** The call's abort signal; made on first use, since most handlers never look at it. */
  signal(): AbortSignal;
  /** Takes the first `succeed` or `fail`; the context ignores later ones. */
  answer(outcome: ContextOutcome): void;
}

/** Creates the `context` of one call. */
export function createFunctionContext(owner: ContextOwner): FunctionContext {
  return new CallContext(owner);
}

// The methods are own arrow functions, not prototype methods, so that a handler may pass them around
// detached (`setTimeout(context.succeed, 10, value)`).
class CallContext implements FunctionContext {
  #statusCode = 200;
  #headers: ResponseHeaders = {};
  #done = false;
  readonly #owner: ContextOwner;

  constructor(owner: ContextOwner) {
    this.#owner = owner;
  }

  readonly status = ((code?: number) => {
    if (code === undefined) return this.#statusCode;
    this.#statusCode = code;
    return this;
  }) as FunctionContext['status'];

  readonly headers = ((values?: ResponseHeaders) => {
    if (values === undefined) return this.#headers;
    this.#headers = values;
    return this;
  }) as FunctionContext['headers'];

  readonly succeed = (value?: unknown): void => {
    if (this.#done) return;
    this.#done = true;
    this.#owner.answer({ kind: 'succeed', value, status: this.#statusCode, headers: this.#headers });
  };

  readonly fail = (error?: unknown): void => {
    if (this.#done) return;
    this.#done = true;
    const status = this.#statusCode === 200 ? 500 : this.#statusCode;
    this.#owner.answer({ kind: 'fail', error, status, headers: this.#headers });
  };

  get signal(): AbortSignal {
    return this.#owner.signal();
  }
}
