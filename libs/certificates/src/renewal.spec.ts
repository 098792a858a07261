import { describe, expect, it } from 'vitest';
import { isRenewalDue, renewalTime, validityDays } from './renewal';

const DAY = 86_400_000;
const START = new Date('2026-01-01T00:00:00Z');
const window = (days: number) => ({ notBefore: START, notAfter: new Date(START.getTime() + days * DAY) });
const at = (day: number) => new Date(START.getTime() + day * DAY);

describe('isRenewalDue', () => {
  it.each([
    // A 1-day certificate is kept for its first two thirds: a second run right after issuing keeps it.
    [1, 0.04, false],
    [1, 0.66, false],
    [1, 0.67, true],
    // 20 days: renewed with 6.67 days left, not (as with a fixed 30 days) on every run.
    [20, 0, false],
    [20, 13, false],
    [20, 13.4, true],
    // 397 days: renewed with 132 days left.
    [397, 264, false],
    [397, 265, true],
    [825, 549, false],
    [825, 550.1, true],
    // Expired is due too.
    [30, 31, true],
  ])('a %d-day certificate on day %d: due %s', (days, day, due) => {
    expect(isRenewalDue(window(days), at(day))).toBe(due);
  });

  it.each([
    // A CA warning: the last third, at most 30 days ahead.
    [3650, 3619, false],
    [3650, 3620, true],
    [20, 13, false],
    [20, 14, true],
  ])('with a 30-day cap, a %d-day CA on day %d: due %s', (days, day, due) => {
    expect(isRenewalDue(window(days), at(day), 30)).toBe(due);
  });
});

describe('renewalTime and validityDays', () => {
  it.each([
    [90, 60],
    [397, 264.667],
    [3, 2],
  ])('a %d-day certificate is renewed on day %d', (days, day) => {
    expect((renewalTime(window(days)).getTime() - START.getTime()) / DAY).toBeCloseTo(day, 2);
    expect(validityDays(window(days))).toBe(days);
  });
});
