import { join } from 'node:path';
import {
  assertDays,
  assertDnsName,
  assertIp,
  type CaMaterial,
  certificateTextProblem,
  checkNameConstraints,
  DEFAULT_LEAF_DAYS,
  describeCertificate,
  isRenewalDue,
  issueServerCertificate,
  keyMatchesCertificate,
  type LeafMaterial,
  MAX_LEAF_DAYS,
  normalizeIp,
  renewalTime,
  validityDays,
  verifyServerCertificate,
} from '@homefaas/certificates';
import { DAY_MS, HomefaasError } from '@homefaas/core';
import { formatDay } from '../common/format-day';
import {
  KEY_FILE_MODE,
  type PlannedWrite,
  readFileIfPresent,
  shownPath,
  writePlannedFiles,
} from '../common/workspace-files';
import { CREATE_CA_COMMAND } from './ca-location';

/** Default folder of server certificates, relative to the workspace root. */
export const CERTS_DIR = 'infra/certs';

/** Absolute paths of one server certificate's files. */
export interface LeafPaths {
  cert: string;
  key: string;
  fullchain: string;
}

/** Input of {@link ensureServerCertificate}. */
export interface EnsureServerCertificateOptions {
  /** Names the files (`<domain>.crt`) and is always the first DNS name of the certificate. */
  domain: string;
  /** More DNS names (wildcards allowed); `domain` is added when missing. */
  dnsNames: string[];
  ips: string[];
  /**
   * Validity of a new certificate, in days. When absent, a reissue keeps the validity of the certificate it
   * replaces (at most 825 days), and a first issue gets {@link DEFAULT_LEAF_DAYS}.
   */
  days?: number;
  /** Reissue even when the current certificate is fine; a text says why (else "renewal requested"). */
  renew?: boolean | string;
  /** Folder relative to the root; {@link CERTS_DIR} by default. */
  dir?: string;
  /** Report what would change without writing. */
  dryRun?: boolean;
  now?: Date;
}

/** What {@link ensureServerCertificate} did (or, in a plan, would do). */
export interface EnsureServerCertificateResult {
  changed: boolean;
  detail: string;
  paths: LeafPaths;
}

/** A computed but not yet written certificate: `writes` is empty when nothing changes. */
export interface ServerCertificatePlan extends EnsureServerCertificateResult {
  writes: PlannedWrite[];
}

/** Absolute paths of the certificate, key and full chain of `domain` under `dir` (default infra/certs). */
export function leafPaths(root: string, domain: string, dir: string = CERTS_DIR): LeafPaths {
  const base = join(root, dir, domain);
  return { cert: `${base}.crt`, key: `${base}.key`, fullchain: `${base}.fullchain.pem` };
}

/**
 * Decides whether the server certificate of `domain` must be (re)issued ({@link checkServerCertificate}) and,
 * if so, issues it in memory. Writes nothing: the plan's `writes` do, through {@link writePlannedFiles}.
 */
export async function planServerCertificate(
  root: string,
  ca: CaMaterial,
  options: EnsureServerCertificateOptions,
): Promise<ServerCertificatePlan> {
  const status = await checkServerCertificate(root, ca.certPem, options);
  const { paths, dnsNames, ips } = status;
  if (status.reissueBecause === undefined)
    return { changed: false, detail: status.detail, paths, writes: [] };
  const validity = chooseValidity(options.days, status.currentDays);
  const leaf = await issueServerCertificate(ca, { dnsNames, ips, days: validity.days, now: options.now });
  return {
    changed: true,
    detail: `issued ${shownPath(paths.cert, root)} for ${[...dnsNames, ...ips].join(', ')}, valid ${validity.days} days ${validity.why} (${status.reissueBecause})`,
    paths,
    writes: serverCertificateWrites(paths, leaf),
  };
}

/**
 * The files of an issued certificate. The key goes first: an interruption leaves the old certificate with a
 * key that no longer matches, which the next run detects and repairs; it never leaves a half-written key.
 */
export function serverCertificateWrites(paths: LeafPaths, leaf: LeafMaterial): PlannedWrite[] {
  return [
    { path: paths.key, data: leaf.keyPem, mode: KEY_FILE_MODE },
    { path: paths.cert, data: leaf.certPem, mode: 0o644 },
    { path: paths.fullchain, data: leaf.fullchainPem, mode: 0o644 },
  ];
}

/** Validity in days of a current certificate, when there is one and it parses (see {@link chooseValidity}). */
export function currentValidityDays(certPem: string | undefined): number | undefined {
  if (certPem === undefined || certificateTextProblem(certPem) !== undefined) return undefined;
  return validityDays(describeCertificate(certPem));
}

/**
 * Refuses (ERR_CERT_CONSTRAINTS) names the CA may not sign, before a passphrase is asked or a key made:
 * its name constraints would make every client reject the certificate.
 */
export function assertCaMayIssue(caPem: string, names: { dnsNames: string[]; ips: string[] }): void {
  const violations = checkNameConstraints(caPem, names);
  if (violations.length === 0) return;
  throw new HomefaasError(
    'ERR_CERT_CONSTRAINTS',
    `The CA may not sign these names: ${violations.join('; ')}.`,
    {
      hint: `Use names inside the CA's constraints, or replace the CA with one that permits them (\`${CREATE_CA_COMMAND} --rotate --permittedDomains ... --permittedIps ...\`).`,
    },
  );
}

/**
 * The validity of a (re)issued certificate and why: the one asked for, else the one of the certificate it
 * replaces (so a 20-day certificate stays a 20-day one), else the default.
 */
export function chooseValidity(
  asked: number | undefined,
  current: number | undefined,
): { days: number; why: string } {
  if (asked !== undefined) return { days: asked, why: '(as configured)' };
  if (current === undefined) return { days: DEFAULT_LEAF_DAYS, why: '(the default)' };
  if (current > MAX_LEAF_DAYS) {
    return {
      days: MAX_LEAF_DAYS,
      why: `(the one it replaces was valid ${current} days; ${MAX_LEAF_DAYS} is the most clients accept)`,
    };
  }
  return { days: Math.max(1, current), why: 'like the one it replaces' };
}

/** What {@link checkServerCertificate} found. */
export interface ServerCertificateStatus {
  /** Why the certificate must be (re)issued; `undefined` when it is fine as it is. */
  reissueBecause?: string;
  detail: string;
  paths: LeafPaths;
  /** The names the certificate must carry: `domain` first, duplicates removed. */
  dnsNames: string[];
  ips: string[];
  /** Validity in days of the current certificate, when there is one that parses. */
  currentDays?: number;
}

/**
 * Checks the server certificate of `domain` with the CA certificate alone (no CA key, so no passphrase):
 * fine when the CA signed it, its key matches, it has exactly the requested names, it is not in the last
 * third of its own lifetime (see `isRenewalDue`), and its full chain is current.
 */
export async function checkServerCertificate(
  root: string,
  caPem: string,
  options: EnsureServerCertificateOptions,
): Promise<ServerCertificateStatus> {
  assertDnsName(options.domain, 'domain');
  for (const name of options.dnsNames) assertDnsName(name, 'dnsNames');
  for (const ip of options.ips) assertIp(ip, 'ips');
  if (options.days !== undefined) assertDays(options.days, 'days');
  const paths = leafPaths(root, options.domain, options.dir);
  const dnsNames = unique([options.domain, ...options.dnsNames].map((name) => name.toLowerCase()));
  const ips = unique(options.ips.map(normalizeIp));
  // One after the other, so that a path that cannot be read is always the first one named.
  const certPem = await readFileIfPresent(paths.cert, root);
  const keyPem = await readFileIfPresent(paths.key, root);
  const fullchainPem = await readFileIfPresent(paths.fullchain, root);
  const now = options.now ?? new Date();
  const problem = serverCertificateProblem({ certPem, keyPem, caPem, dnsNames, ips, now });
  const chainStale = certPem !== undefined && fullchainPem !== `${certPem.trimEnd()}\n${caPem.trimEnd()}\n`;
  const asked = options.renew === true ? 'renewal requested' : options.renew || undefined;
  const reissueBecause = asked ?? problem ?? (chainStale ? 'the full chain is out of date' : undefined);
  const current =
    certPem === undefined || certificateTextProblem(certPem) ? undefined : describeCertificate(certPem);
  const shown = shownPath(paths.cert, root);
  const detail =
    reissueBecause === undefined && current !== undefined
      ? `${shown} is valid, signed by the CA, names match, due for renewal on ${formatDay(renewalTime(current))}: unchanged`
      : `${shown} needs issuing: ${reissueBecause}`;
  return {
    reissueBecause,
    detail,
    paths,
    dnsNames,
    ips,
    ...(current ? { currentDays: validityDays(current) } : {}),
  };
}

/** Converges the server certificate of `domain`: {@link planServerCertificate}, then writes unless `dryRun`. */
export async function ensureServerCertificate(
  root: string,
  ca: CaMaterial,
  options: EnsureServerCertificateOptions,
): Promise<EnsureServerCertificateResult> {
  const { writes, ...result } = await planServerCertificate(root, ca, options);
  if (!options.dryRun) await writePlannedFiles(writes, root);
  return result;
}

/** The current certificate and key texts (`undefined` when missing) and what they must be. */
export interface ServerCertificateCheck {
  certPem: string | undefined;
  keyPem: string | undefined;
  caPem: string;
  /** Exactly the DNS names and IPs the certificate must carry (compared case-insensitively). */
  dnsNames: readonly string[];
  ips: readonly string[];
  /** When given, the certificate must also verify for this host name. */
  host?: string;
  now?: Date;
}

/**
 * Why a server certificate must be (re)issued, or `undefined` when it is fine: it parses, the CA signed it,
 * its key matches, it has exactly the wanted names and is not yet in the last third of its own lifetime.
 * Needs only the CA certificate, so a run that changes nothing never asks for the CA passphrase.
 */
export function serverCertificateProblem(check: ServerCertificateCheck): string | undefined {
  const { certPem, keyPem, caPem } = check;
  if (certPem === undefined) return 'no certificate yet';
  if (keyPem === undefined) return 'its key is missing';
  const now = check.now ?? new Date();
  const damage = certificateTextProblem(certPem);
  if (damage !== undefined) return `the current certificate does not parse: it ${damage.detail}`;
  const info = describeCertificate(certPem);
  const verification = verifyServerCertificate(certPem, caPem, { host: check.host }, now);
  if (!verification.ok) return `the current one fails verification: ${verification.problems.join('; ')}`;
  if (!safeKeyMatches(keyPem, certPem)) return 'its key does not match';
  if (!sameSet(info.dnsNames, check.dnsNames) || !sameSet(info.ips, check.ips)) {
    return `names changed (has ${[...info.dnsNames, ...info.ips].join(', ')})`;
  }
  if (isRenewalDue(info, now)) {
    const left = Math.max(0, Math.floor((info.notAfter.getTime() - now.getTime()) / DAY_MS));
    return `${left} of its ${validityDays(info)} days left: renewed in the last third`;
  }
  return undefined;
}

function safeKeyMatches(keyPem: string, certPem: string): boolean {
  try {
    return keyMatchesCertificate(keyPem, certPem);
  } catch {
    return false;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map((v) => v.toLowerCase()));
  const right = new Set(b.map((v) => v.toLowerCase()));
  return left.size === right.size && [...left].every((v) => right.has(v));
}
