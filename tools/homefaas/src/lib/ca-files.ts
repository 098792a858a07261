import { join } from 'node:path';
import {
  assertDnsName,
  assertIp,
  type CaMaterial,
  decryptPrivateKey,
  describeCertificate,
  issueServerCertificate,
  keyMatchesCertificate,
  normalizeIp,
  verifyServerCertificate,
} from '@homefaas/certificates';
import { HomefaasError, isHomefaasError } from '@homefaas/core';
import { readOptional } from './read-optional';
import { writeFileAtomic } from './write-file-atomic';

/** The CA certificate, relative to the workspace root (committed). */
export const CA_CERT_PATH = 'infra/ca/homeCA.pem';
/** The encrypted CA key, relative to the workspace root (mode 0600, git-ignored). */
export const CA_KEY_PATH = 'infra/ca/homeCA.key';
/** Where `--rotate` keeps replaced CA pairs, one folder per date. */
export const CA_OLD_DIR = 'infra/ca/old';
/** Default folder of server certificates, relative to the workspace root. */
export const CERTS_DIR = 'infra/certs';
/** A certificate with at most this many days left is reissued. */
export const RENEW_BEFORE_DAYS = 30;
/** Mode of every private key file. */
export const KEY_FILE_MODE = 0o600;
/** The command that creates the CA, for hints. */
export const CREATE_CA_COMMAND = 'npx nx g ca';

/** Absolute paths of one server certificate's files. */
export interface LeafPaths {
  cert: string;
  key: string;
  fullchain: string;
}

/** A file to write: absolute path, content, mode. */
export interface PlannedWrite {
  path: string;
  data: string;
  mode: number;
}

/** Input of {@link ensureServerCertificate}. */
export interface EnsureServerCertificateOptions {
  /** Names the files (`<domain>.crt`) and is always the first DNS name of the certificate. */
  domain: string;
  /** More DNS names (wildcards allowed); `domain` is added when missing. */
  dnsNames: string[];
  ips: string[];
  days: number;
  /** Reissue even when the current certificate is fine. */
  renew?: boolean;
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

/** The CA certificate PEM of the workspace, or `undefined` when there is none yet. */
export async function readCaCertificate(root: string): Promise<string | undefined> {
  return readOptional(join(root, CA_CERT_PATH));
}

/** Reads and decrypts the workspace's CA; errors say which command creates it or what is wrong. */
export async function loadCa(root: string, passphrase: string): Promise<CaMaterial> {
  const certPem = await readCaCertificate(root);
  const encryptedKey = await readOptional(join(root, CA_KEY_PATH));
  if (certPem === undefined || encryptedKey === undefined) {
    const missing = certPem === undefined ? CA_CERT_PATH : CA_KEY_PATH;
    throw new HomefaasError('ERR_CA_MISSING', `No CA in this workspace: ${missing} does not exist.`, {
      hint: `Create one with \`${CREATE_CA_COMMAND}\` (or adopt yours with \`${CREATE_CA_COMMAND} --importCert FILE --importKey FILE\`).`,
    });
  }
  let keyPem: string;
  try {
    keyPem = decryptPrivateKey(encryptedKey, passphrase);
  } catch (error) {
    if (!isHomefaasError(error, 'ERR_CA_PASSPHRASE')) throw error;
    throw new HomefaasError('ERR_CA_PASSPHRASE', `Cannot decrypt ${CA_KEY_PATH}: wrong passphrase.`, {
      hint: 'Give the passphrase the CA was created with in HOMEFAAS_CA_PASSPHRASE or HOMEFAAS_CA_PASSPHRASE_FILE.',
    });
  }
  if (!keyMatchesCertificate(keyPem, certPem)) {
    throw new HomefaasError('ERR_CA_MISMATCH', `${CA_KEY_PATH} is not the key of ${CA_CERT_PATH}.`, {
      hint: `Restore the matching pair (replaced pairs are kept in ${CA_OLD_DIR}/), or replace it with \`${CREATE_CA_COMMAND} --rotate\`.`,
    });
  }
  return { certPem, keyPem };
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
  const leaf = await issueServerCertificate(ca, { dnsNames, ips, days: options.days, now: options.now });
  return {
    changed: true,
    detail: `issued ${relativeTo(root, paths.cert)} for ${[...dnsNames, ...ips].join(', ')} (${status.reissueBecause})`,
    paths,
    // The key goes first: an interruption leaves the old certificate with a key that no longer matches,
    // which the next run detects and repairs; it never leaves a half-written key.
    writes: [
      { path: paths.key, data: leaf.keyPem, mode: KEY_FILE_MODE },
      { path: paths.cert, data: leaf.certPem, mode: 0o644 },
      { path: paths.fullchain, data: leaf.fullchainPem, mode: 0o644 },
    ],
  };
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
}

/**
 * Checks the server certificate of `domain` with the CA certificate alone (no CA key, so no passphrase):
 * fine when the CA signed it, its key matches, it has exactly the requested names and more than
 * {@link RENEW_BEFORE_DAYS} days left, and its full chain is current.
 */
export async function checkServerCertificate(
  root: string,
  caPem: string,
  options: EnsureServerCertificateOptions,
): Promise<ServerCertificateStatus> {
  assertDnsName(options.domain, 'domain');
  for (const name of options.dnsNames) assertDnsName(name, 'dnsNames');
  for (const ip of options.ips) assertIp(ip, 'ips');
  const paths = leafPaths(root, options.domain, options.dir);
  const dnsNames = unique([options.domain, ...options.dnsNames].map((name) => name.toLowerCase()));
  const ips = unique(options.ips.map(normalizeIp));
  const reissueBecause = options.renew
    ? 'renewal requested'
    : await reasonToReissue(paths, caPem, { dnsNames, ips }, options.now ?? new Date());
  const detail =
    reissueBecause === undefined
      ? `${relativeTo(root, paths.cert)} is valid, signed by the CA, names match, more than ${RENEW_BEFORE_DAYS} days left: unchanged`
      : `${relativeTo(root, paths.cert)} needs issuing: ${reissueBecause}`;
  return { reissueBecause, detail, paths, dnsNames, ips };
}

/** Writes planned files in order, each atomically. */
export async function writePlannedFiles(writes: readonly PlannedWrite[]): Promise<void> {
  for (const write of writes) await writeFileAtomic(write.path, write.data, { mode: write.mode });
}

/** Converges the server certificate of `domain`: {@link planServerCertificate}, then writes unless `dryRun`. */
export async function ensureServerCertificate(
  root: string,
  ca: CaMaterial,
  options: EnsureServerCertificateOptions,
): Promise<EnsureServerCertificateResult> {
  const { writes, ...result } = await planServerCertificate(root, ca, options);
  if (!options.dryRun) await writePlannedFiles(writes);
  return result;
}

async function reasonToReissue(
  paths: LeafPaths,
  caPem: string,
  wanted: { dnsNames: string[]; ips: string[] },
  now: Date,
): Promise<string | undefined> {
  const [certPem, keyPem, fullchainPem] = await Promise.all(
    [paths.cert, paths.key, paths.fullchain].map(readOptional),
  );
  const problem = serverCertificateProblem({ certPem, keyPem, caPem, ...wanted, now });
  // A missing certificate is always a problem; the second test only narrows the type.
  if (problem !== undefined || certPem === undefined) return problem;
  if (fullchainPem !== `${certPem.trimEnd()}\n${caPem.trimEnd()}\n`) return 'the full chain is out of date';
  return undefined;
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
 * its key matches, it has exactly the wanted names and more than {@link RENEW_BEFORE_DAYS} days left. Needs
 * only the CA certificate, so a run that changes nothing never asks for the CA passphrase.
 */
export function serverCertificateProblem(check: ServerCertificateCheck): string | undefined {
  const { certPem, keyPem, caPem } = check;
  if (certPem === undefined) return 'no certificate yet';
  if (keyPem === undefined) return 'its key is missing';
  const now = check.now ?? new Date();
  let info: ReturnType<typeof describeCertificate>;
  try {
    info = describeCertificate(certPem);
  } catch (error) {
    if (isHomefaasError(error)) return 'the current certificate does not parse';
    throw error;
  }
  const verification = verifyServerCertificate(certPem, caPem, { host: check.host }, now);
  if (!verification.ok) return `the current one fails verification: ${verification.problems.join('; ')}`;
  if (!safeKeyMatches(keyPem, certPem)) return 'its key does not match';
  if (!sameSet(info.dnsNames, check.dnsNames) || !sameSet(info.ips, check.ips)) {
    return `names changed (has ${[...info.dnsNames, ...info.ips].join(', ')})`;
  }
  const daysLeft = (info.notAfter.getTime() - now.getTime()) / 86_400_000;
  if (daysLeft <= RENEW_BEFORE_DAYS) return `only ${Math.max(0, Math.floor(daysLeft))} days left`;
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

function relativeTo(root: string, path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}
