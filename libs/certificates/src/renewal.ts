import { DAY_MS } from '@homefaas/core';

/** A certificate's validity window. */
export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/**
 * Share of its own lifetime left at which a certificate is renewed: the last third, as ACME clients do
 * (certbot renews a 90-day certificate with 30 days left). A fixed number of days would renew a short
 * certificate on every run and a long one too late.
 */
export const RENEW_FRACTION = 1 / 3;

/** When the certificate is due for renewal; `maxLeadDays` caps how early (a CA's warning, not its 3 years). */
export function renewalTime(validity: Validity, maxLeadDays = Number.POSITIVE_INFINITY): Date {
  const lifetime = validity.notAfter.getTime() - validity.notBefore.getTime();
  const lead = Math.min(lifetime * RENEW_FRACTION, maxLeadDays * DAY_MS);
  return new Date(validity.notAfter.getTime() - lead);
}

/** True from {@link renewalTime} on. */
export function isRenewalDue(validity: Validity, now: Date, maxLeadDays?: number): boolean {
  return now.getTime() >= renewalTime(validity, maxLeadDays).getTime();
}

/** The lifetime in whole days (rounded), as `--days` would give it. */
export function validityDays(validity: Validity): number {
  return Math.round((validity.notAfter.getTime() - validity.notBefore.getTime()) / DAY_MS);
}
