import { describe, expect, it } from 'vitest';
import { splitOptionList } from './option-list';

describe('splitOptionList', () => {
  it.each([
    [undefined, { items: [], none: false }],
    ['', { items: [], none: false }],
    ['a, b', { items: ['a', 'b'], none: false }],
    [['a', 'b,c'], { items: ['a', 'b', 'c'], none: false }],
    ['none', { items: [], none: true }],
    [' NONE ', { items: [], none: true }],
    ['none,a', { items: ['none', 'a'], none: false }],
  ] as const)('%j → %j', (value, expected) => {
    expect(splitOptionList(value)).toEqual(expected);
  });
});
