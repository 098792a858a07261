import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { assertFunctionName, isValidFunctionName } from './function-name';

describe('isValidFunctionName', () => {
  it.each([
    ['hello', true],
    ['hello-world', true],
    ['a', true],
    ['9lives', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['Hello', false],
    ['hello_world', false],
    ['-hello', false],
    ['hello-', false],
    ['hello.world', false],
    ['', false],
  ])('%s → %s', (name, valid) => {
    expect(isValidFunctionName(name)).toBe(valid);
  });
});

describe('assertFunctionName', () => {
  it('throws ERR_STACK_FUNCTION_NAME naming the bad name, with the rule as hint', () => {
    let caught: unknown;
    try {
      assertFunctionName('Bad_Name');
    } catch (error) {
      caught = error;
    }
    expect(isHomefaasError(caught, 'ERR_STACK_FUNCTION_NAME')).toBe(true);
    expect((caught as Error).message).toBe('Invalid function name "Bad_Name"');
    expect((caught as { hint: string }).hint).toContain('at most 63 characters');
  });

  it('accepts a valid name', () => {
    expect(() => assertFunctionName('hello-world')).not.toThrow();
  });
});
