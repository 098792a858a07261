import { describe, expect, it } from 'vitest';
import { splitList } from './split-list';

describe('splitList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['a', ['a']],
    [' a , b ,, c ', ['a', 'b', 'c']],
    [
      ['a', 'b, c'],
      ['a', 'b', 'c'],
    ],
    [[' ', ','], []],
    ['linux/amd64,linux/arm/v7', ['linux/amd64', 'linux/arm/v7']],
  ] as const)('%j → %j', (value, expected) => {
    expect(splitList(value)).toEqual(expected);
  });

  it('keeps duplicates and order: callers decide what a repeat means', () => {
    expect(splitList('b,a,b')).toEqual(['b', 'a', 'b']);
  });
});
