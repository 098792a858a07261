import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['250us', 0.25],
    ['0', 0],
    ['0s', 0],
    ['10', 10_000],
    [' 15s ', 15_000],
    ['.5s', 500],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '10 s', '-5s', '5d', 'ten', '1.5', '10S', '1m30'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [1_500, '1500ms'],
  ])('writes %d ms as %j, which reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
