import type { FunctionContext, FunctionEvent, ResponseHeaders } from '@homefaas/node22-ts';
import { describe, expect, it } from 'vitest';
import handler from './handler';

function event(overrides: Partial<FunctionEvent>): FunctionEvent {
  return { body: undefined, headers: {}, method: 'GET', query: {}, path: '/', ...overrides };
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

describe('hello-world', () => {
  it.each([
    ['a JSON body', event({ method: 'POST', body: { name: 'Ada' } }), 'Hello, Ada!'],
    ['a text body', event({ method: 'POST', body: 'Grace' }), 'Hello, Grace!'],
    ['the query', event({ query: { name: 'Linus' } }), 'Hello, Linus!'],
    ['a repeated query key', event({ query: { name: ['Ken', 'Dennis'] } }), 'Hello, Ken!'],
    ['nothing', event({}), 'Hello, world!'],
    ['a JSON body without a name', event({ method: 'POST', body: { other: 1 } }), 'Hello, world!'],
  ])('greets the name from %s', async (_, input, message) => {
    expect(await handler(input, context())).toEqual({ message });
  });
});
