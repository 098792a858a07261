import { resolve } from 'node:path';
import {
  assertCaCommonName,
  assertCaDays,
  assertCaKeyBits,
  assertPermittedDomain,
  DEFAULT_CA_KEY_BITS,
  parseCidr,
} from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import { splitOptionList } from '../common/option-list';

/** How a CA is made, as `nx g ca` takes it; every field has a default (see {@link resolveCaOptions}). */
export interface CaOptions {
  commonName?: string;
  /** Comma-separated, or "none". */
  permittedDomains?: string | string[];
  /** Comma-separated CIDR ranges, or "none". */
  permittedIps?: string | string[];
  days?: number;
  keyBits?: number;
  /** Adopt this CA certificate (with `importKey`) instead of creating one. */
  importCert?: string;
  importKey?: string;
  /** Replace the existing CA; the current pair is moved aside. */
  rotate?: boolean;
}

/** Every CA option checked and defaulted. */
export interface ResolvedCaOptions {
  readonly commonName: string;
  readonly permittedDomains: readonly string[];
  readonly permittedIps: readonly string[];
  readonly days: number;
  readonly keyBits: 3072 | 4096;
  readonly rotate: boolean;
  /** Absolute paths of the CA to adopt. */
  readonly import?: { readonly certPath: string; readonly keyPath: string };
}

/** The CA `nx g ca` makes when no option is given, and publish makes when there is none. */
export const CA_DEFAULTS = Object.freeze({
  commonName: 'homefaas CA',
  permittedDomains: 'home.lan,home.arpa',
  permittedIps: '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,::1/128,fd00::/8',
  days: 3650,
});

/** Checks and defaults every option before anything is read or written; messages name the option. */
export function resolveCaOptions(options: CaOptions): ResolvedCaOptions {
  const commonName = assertCaCommonName(options.commonName ?? CA_DEFAULTS.commonName, '--commonName');
  const domains = splitOptionList(options.permittedDomains ?? CA_DEFAULTS.permittedDomains);
  const permittedDomains = domains.items.map((domain) => assertPermittedDomain(domain, '--permittedDomains'));
  if (!domains.none && domains.items.length === 0) {
    throw new HomefaasError('ERR_CA_CONSTRAINTS', '--permittedDomains is empty.', {
      hint: 'Give the domains the CA may sign (e.g. home.lan,home.arpa), or "none" for an unconstrained CA.',
    });
  }
  const ips = splitOptionList(options.permittedIps ?? CA_DEFAULTS.permittedIps);
  for (const cidr of ips.items) parseCidr(cidr, '--permittedIps');
  const days = options.days ?? CA_DEFAULTS.days;
  assertCaDays(days, '--days');
  const keyBits = assertCaKeyBits(options.keyBits ?? DEFAULT_CA_KEY_BITS, '--keyBits');
  if ((options.importCert === undefined) !== (options.importKey === undefined)) {
    throw new HomefaasError('ERR_CA_IMPORT', 'Adopting a CA needs both --importCert and --importKey.', {
      hint: 'Give the CA certificate with --importCert FILE and its key with --importKey FILE.',
    });
  }
  const resolved: ResolvedCaOptions = {
    commonName,
    permittedDomains,
    permittedIps: ips.items,
    days,
    keyBits,
    rotate: options.rotate ?? false,
  };
  if (options.importCert === undefined || options.importKey === undefined) return resolved;
  return {
    ...resolved,
    import: { certPath: resolve(options.importCert), keyPath: resolve(options.importKey) },
  };
}
