import { describe, expect, it } from 'vitest';
import { resolveHandler } from './handler-module';

const byDefault = async () => 'default';
const named = async () => 'named';

describe('resolveHandler', () => {
  it('takes the default export first', () => {
    expect(resolveHandler({ default: byDefault, handler: named })).toBe(byDefault);
  });

  it('takes the named export `handler` when there is no default', () => {
    expect(resolveHandler({ handler: named, other: 1 })).toBe(named);
  });

  it('takes a module that is itself a function (CommonJS module.exports = fn)', () => {
    expect(resolveHandler(named)).toBe(named);
  });

  it('looks one level into `default`, where CommonJS interop puts the exports', () => {
    expect(resolveHandler({ default: { handler: named } })).toBe(named);
    expect(resolveHandler({ default: { default: byDefault } })).toBe(byDefault);
  });

  it('names what the module exports when no handler is there', () => {
    expect(() => resolveHandler({ helper: 1, default: 'text' })).toThrow(
      'The handler module exports no function as default or "handler" (it exports: helper, default).',
    );
    expect(() => resolveHandler({})).toThrow('(it exports: nothing)');
    expect(() => resolveHandler(undefined)).toThrow('The handler module is not a module: got undefined.');
  });
});
