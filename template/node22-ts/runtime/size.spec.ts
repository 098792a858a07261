import { describe, expect, it } from 'vitest';
import { parseSize } from './size';

describe('parseSize', () => {
  it.each([
    ['100kb', 102_400],
    ['100KB', 102_400],
    ['1mb', 1_048_576],
    ['1.5mb', 1_572_864],
    ['512b', 512],
    ['2048', 2048],
    ['1 gb', 1_073_741_824],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'kb', '-1kb', '10xb', 'lots'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});
