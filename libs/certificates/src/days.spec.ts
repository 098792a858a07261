import { describe, expect, it } from 'vitest';
import { assertCaDays, assertDays } from './days';

function failure(check: () => void): { code?: string; message?: string } | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error as { code?: string; message?: string };
  }
}

describe('one --days check per kind of certificate, stating its real range', () => {
  it.each([0, -1, 1.5, 826, 5000, Number.NaN])('a server certificate: %d → "from 1 to 825"', (days) => {
    expect(failure(() => assertDays(days, '--days'))).toMatchObject({
      code: 'ERR_CERT_DAYS',
      message: `--days ${days} is out of range: give a whole number from 1 to 825.`,
    });
  });

  it.each([0, 36_501, 2.5])('a CA: %d → "from 1 to 36500"', (days) => {
    expect(failure(() => assertCaDays(days, '--days'))?.message).toBe(
      `--days ${days} is out of range: give a whole number from 1 to 36500.`,
    );
  });

  it.each([
    [1, assertDays],
    [825, assertDays],
    [1, assertCaDays],
    [36_500, assertCaDays],
  ])('accepts %d', (days, check) => {
    expect(failure(() => check(days, '--days'))).toBeUndefined();
  });
});
