import { HomefaasError } from '@homefaas/core';

/** Longest server certificate validity that Apple platforms accept for user-added roots. */
export const MAX_LEAF_DAYS = 825;
/** Default server certificate validity: the 397 days every browser and Apple platform accepts. */
export const DEFAULT_LEAF_DAYS = 397;
/** Longest CA validity homefaas writes (100 years). */
export const MAX_CA_DAYS = 36_500;

/**
 * Throws `ERR_CERT_DAYS` unless `days` is a whole number from 1 to `max`, the validity of a server
 * certificate unless told otherwise. The one check of every `--days`, so each states its real range.
 */
export function assertDays(days: number, inputName: string, max = MAX_LEAF_DAYS): void {
  if (!Number.isInteger(days) || days < 1 || days > max) {
    throw new HomefaasError(
      'ERR_CERT_DAYS',
      `${inputName} ${days} is out of range: give a whole number from 1 to ${max}.`,
      {
        hint:
          max === MAX_LEAF_DAYS
            ? `Apple platforms reject server certificates valid for more than ${MAX_LEAF_DAYS} days; ${DEFAULT_LEAF_DAYS} is the safe default.`
            : `A CA is usually valid for 10 years (${inputName} 3650).`,
      },
    );
  }
}

/** {@link assertDays} for the validity of a CA. */
export function assertCaDays(days: number, inputName: string): void {
  assertDays(days, inputName, MAX_CA_DAYS);
}
