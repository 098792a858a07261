import { describe, expect, it } from 'vitest';
import { callTimeout } from './call-timeout';

describe('callTimeout', () => {
  it.each([
    [10_000, undefined, 10_000],
    [10_000, '2s', 2_000],
    [10_000, '500ms', 500],
    [10_000, '3', 3_000],
    [10_000, '1m', 10_000],
    [10_000, 'soon', 10_000],
    [10_000, '0', 10_000],
    [0, '2s', 2_000],
    [0, undefined, 0],
    [10_000, ['1s', '5s'], 1_000],
  ] as const)('exec_timeout %d ms with X-Timeout %j gives %d ms', (exec, header, expected) => {
    expect(callTimeout(exec, header as string | string[] | undefined)).toBe(expected);
  });
});
