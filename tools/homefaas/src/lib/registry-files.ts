import { mkdir, readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import {
  type CaMaterial,
  describeCertificate,
  keyMatchesCertificate,
  verifyServerCertificate,
} from '@homefaas/certificates';
import { hasUser, setUser, verifyUser } from '@homefaas/htpasswd';
import { ensureServerCertificate, RENEW_BEFORE_DAYS } from './ca-files';
import type { StepResult } from './step';
import { writeFileAtomic } from './write-file-atomic';

/** Input of {@link registryCertificateProblem} and {@link ensureRegistryCertificate}. */
export interface RegistryCertificateOptions {
  root: string;
  /** The registry host: file name and first DNS name of the certificate. */
  host: string;
  ips: readonly string[];
  /** Folder of the certificate relative to the root (infra/registry/certs). */
  dir: string;
  days: number;
  now?: Date;
}

/** The current certificate and key texts (`undefined` when missing) and what they must be. */
export interface CertificateCheck {
  certPem: string | undefined;
  keyPem: string | undefined;
  caPem: string;
  host: string;
  ips: readonly string[];
  now?: Date;
}

/**
 * Why a registry certificate must be (re)issued, or `undefined` when it is fine: signed by the CA, key
 * matching, exactly the wanted names, more than 30 days left. Needs only the CA certificate, so a run that
 * changes nothing never asks for the CA passphrase (nor pays for decrypting the key).
 */
export function certificateProblem(check: CertificateCheck): string | undefined {
  const { certPem, keyPem } = check;
  if (certPem === undefined) return 'no certificate yet';
  if (keyPem === undefined) return 'its key is missing';
  const now = check.now ?? new Date();
  const verification = verifyServerCertificate(certPem, check.caPem, { host: check.host }, now);
  if (!verification.ok) return verification.problems.join('; ');
  let info: ReturnType<typeof describeCertificate>;
  try {
    info = describeCertificate(certPem);
    if (!keyMatchesCertificate(keyPem, certPem)) return 'its key does not match';
  } catch {
    return 'the certificate or its key does not parse';
  }
  if (!sameSet(info.dnsNames, [check.host]) || !sameSet(info.ips, check.ips)) {
    return `names changed (has ${[...info.dnsNames, ...info.ips].join(', ')})`;
  }
  const daysLeft = (info.notAfter.getTime() - now.getTime()) / 86_400_000;
  if (daysLeft <= RENEW_BEFORE_DAYS) return `only ${Math.max(0, Math.floor(daysLeft))} days left`;
  return undefined;
}

/** {@link certificateProblem} for the files of the registry certificate in the workspace. */
export async function registryCertificateProblem(
  options: RegistryCertificateOptions & { caPem: string },
): Promise<string | undefined> {
  const base = `${options.root}/${options.dir}/${options.host}`;
  const [certPem, keyPem] = await Promise.all([readOptional(`${base}.crt`), readOptional(`${base}.key`)]);
  return certificateProblem({ ...options, certPem, keyPem });
}

/**
 * Converges the registry's TLS certificate (infra/registry/certs/<host>.crt + .key). `loadCa` is called only
 * when a certificate must be issued.
 */
export async function ensureRegistryCertificate(
  options: RegistryCertificateOptions & { caPem: string; loadCa: () => Promise<CaMaterial> },
): Promise<StepResult> {
  const name = 'registry certificate';
  const problem = await registryCertificateProblem(options);
  const shown = `${options.dir}/${options.host}.crt`;
  if (problem === undefined) {
    return {
      name,
      changed: false,
      detail: `${shown} is valid for ${[options.host, ...options.ips].join(', ')} and signed by the CA`,
    };
  }
  const ca = await options.loadCa();
  await ensureServerCertificate(options.root, ca, {
    domain: options.host,
    dnsNames: [],
    ips: [...options.ips],
    days: options.days,
    dir: options.dir,
    renew: true,
    now: options.now,
  });
  const names = [options.host, ...options.ips].join(', ');
  return { name, changed: true, detail: `issued ${shown} for ${names} (${problem})` };
}

/** Input of {@link ensureHtpasswd}. */
export interface HtpasswdOptions {
  file: string;
  root: string;
  user: string;
  password: string;
}

/**
 * Makes the htpasswd file give `user` exactly `password` (a bcrypt `$2y$` line), leaving other users' lines
 * as they are. Unchanged when the password already verifies.
 */
export async function ensureHtpasswd(options: HtpasswdOptions): Promise<StepResult> {
  const name = 'htpasswd';
  const shown = relative(options.root, options.file);
  const text = (await readOptional(options.file)) ?? '';
  if (verifyUser(text, options.user, options.password)) {
    return { name, changed: false, detail: `${shown} has user ${options.user} with this password` };
  }
  const had = hasUser(text, options.user);
  await writeFileAtomic(options.file, setUser(text, options.user, options.password), { mode: 0o600 });
  return {
    name,
    changed: true,
    detail: `${had ? 'updated the password of' : 'added'} user ${options.user} in ${shown}`,
  };
}

/** Writes `content` to `path` unless the file already holds exactly that; true when it wrote. */
export async function ensureFileContent(path: string, content: string, mode = 0o644): Promise<boolean> {
  if ((await readOptional(path)) === content) return false;
  await writeFileAtomic(path, content, { mode });
  return true;
}

/** Creates a folder the container mounts (a missing bind source fails the create). */
export async function ensureFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

/** A file's text, or `undefined` when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map((v) => v.toLowerCase()));
  const right = new Set(b.map((v) => v.toLowerCase()));
  return left.size === right.size && [...left].every((v) => right.has(v));
}
