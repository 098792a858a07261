import type { FunctionContext, FunctionEvent, ResponseHeaders } from '@homefaas/node22-ts';
import { describe, expect, it } from 'vitest';
import handler from './handler';

function event(overrides: Partial<FunctionEvent> = {}): FunctionEvent<never> {
  const base = { body: undefined, headers: {}, method: 'GET', query: {}, path: '/' };
  return { ...base, ...overrides } as FunctionEvent<never>;
}

/** A context like the runtime's: status and headers read without an argument and chain with one. */
function context(): FunctionContext {
  let status = 200;
  let headers: ResponseHeaders = {};
  const ctx = {
    status(code?: number) {
      if (code === undefined) return status;
      status = code;
      return ctx;
    },
    headers(values?: ResponseHeaders) {
      if (values === undefined) return headers;
      headers = values;
      return ctx;
    },
    succeed: () => {},
    fail: () => {},
    signal: new AbortController().signal,
  } as FunctionContext;
  return ctx;
}

describe('the node22-ts starter handler', () => {
  it('greets the name of a JSON body, or of the query, or the world', async () => {
    expect(await handler(event({ method: 'POST', body: { name: 'Ada' } }), context())).toEqual({
      greeting: 'Hello, Ada!',
    });
    expect(await handler(event({ query: { name: 'Grace' } }), context())).toEqual({
      greeting: 'Hello, Grace!',
    });
    expect(await handler(event(), context())).toEqual({ greeting: 'Hello, world!' });
  });

  it('answers 405 to other methods', async () => {
    const ctx = context();
    expect(await handler(event({ method: 'DELETE' }), ctx)).toEqual({ error: 'DELETE is not allowed' });
    expect(ctx.status()).toBe(405);
    expect(ctx.headers()).toEqual({ allow: 'GET, POST' });
  });
});
