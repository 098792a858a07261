import { mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import type { CaMaterial } from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import { costOf, DEFAULT_BCRYPT_COST, hasUser, setUser, verifyUser } from '@homefaas/htpasswd';
import {
  ensureServerCertificate,
  type ServerCertificateCheck,
  serverCertificateProblem,
} from '../ca/server-certificate';
import { readOptional } from '../common/read-optional';
import type { StepResult } from '../common/step';
import { writeFileAtomic } from '../common/write-file-atomic';
import { REGISTRY_UP_COMMAND } from './registry-layout';

/** Re-exported for the callers that read optional files through this module. */
export { readOptional };

/** Input of {@link registryCertificateProblem} and {@link ensureRegistryCertificate}. */
export interface RegistryCertificateOptions {
  root: string;
  /** The registry host: file name and first DNS name of the certificate. */
  host: string;
  ips: readonly string[];
  /** Folder of the certificate relative to the root (infra/registry/certs). */
  dir: string;
  /**
   * Validity of a reissued certificate in days, when one is configured. When absent, a reissue keeps the
   * validity of the certificate it replaces (so a 20-day certificate stays one), and a first issue gets 397.
   */
  days?: number;
  now?: Date;
}

/** The current certificate and key texts (`undefined` when missing) and what they must be. */
export interface CertificateCheck extends Omit<ServerCertificateCheck, 'dnsNames' | 'host'> {
  /** The only DNS name the certificate must carry, and the name it must verify for. */
  host: string;
}

/**
 * Why a registry certificate must be (re)issued, or `undefined` when it is fine: {@link serverCertificateProblem}
 * for exactly `host` and `ips`. Needs only the CA certificate, so a run that changes nothing never asks for the
 * CA passphrase (nor pays for decrypting the key).
 */
export function certificateProblem(check: CertificateCheck): string | undefined {
  return serverCertificateProblem({ ...check, dnsNames: [check.host] });
}

/** {@link certificateProblem} for the files of the registry certificate in the workspace. */
export async function registryCertificateProblem(
  options: RegistryCertificateOptions & { caPem: string },
): Promise<string | undefined> {
  const base = `${options.root}/${options.dir}/${options.host}`;
  const certPem = await readOptional(`${base}.crt`);
  const keyPem = await readOptional(`${base}.key`);
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
  const issued = await ensureServerCertificate(options.root, ca, {
    domain: options.host,
    dnsNames: [],
    ips: [...options.ips],
    days: options.days,
    dir: options.dir,
    renew: problem,
    now: options.now,
  });
  // The detail says how long the new certificate is valid and why (configured, or kept from the old one).
  return { name, changed: true, detail: issued.detail };
}

/** Input of {@link ensureHtpasswd}. */
export interface HtpasswdOptions {
  file: string;
  root: string;
  user: string;
  password: string;
  /** Replace the password of a user the file already has (default false: a different password is refused). */
  changePassword?: boolean;
}

/**
 * The refusal to replace the stored password of `user` in `shown` (the htpasswd file relative to the root):
 * a mistyped REGISTRY_PASSWORD must not lock out every OpenFaaS host that pulls with the old one.
 * `changeCommand` is the command that changes it on purpose.
 */
export function passwordMismatchError(user: string, shown: string, changeCommand: string): HomefaasError {
  return new HomefaasError(
    'ERR_REGISTRY_PASSWORD_MISMATCH',
    `REGISTRY_PASSWORD is not the password of user ${user} in ${shown}.`,
    {
      hint: `Check REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE). To change the registry password on purpose, run \`${changeCommand}\`, then update the OpenFaaS hosts (\`npx nx g node-trust ...\`).`,
    },
  );
}

/**
 * Makes the htpasswd file give `user` exactly `password` (a bcrypt `$2y$` line), leaving other users' lines
 * as they are. Unchanged when the password already verifies; adds a missing user; refuses
 * (ERR_REGISTRY_PASSWORD_MISMATCH, file untouched) to replace another password unless `changePassword`.
 */
export async function ensureHtpasswd(options: HtpasswdOptions): Promise<StepResult> {
  const name = 'htpasswd';
  const shown = relative(options.root, options.file);
  const text = (await readOptional(options.file)) ?? '';
  if (verifyUser(text, options.user, options.password)) {
    const cost = costOf(text, options.user);
    if (cost === DEFAULT_BCRYPT_COST) {
      return { name, changed: false, detail: `${shown} has user ${options.user} with this password` };
    }
    // The registry checks the password on every request: a costlier hash slows every push.
    await writeFileAtomic(options.file, setUser(text, options.user, options.password), { mode: 0o600 });
    return {
      name,
      changed: true,
      detail: `hashed the password of user ${options.user} in ${shown} again at bcrypt cost ${DEFAULT_BCRYPT_COST} (was ${cost}), as htpasswd -B does`,
    };
  }
  const had = hasUser(text, options.user);
  if (had && !options.changePassword) {
    throw passwordMismatchError(options.user, shown, `${REGISTRY_UP_COMMAND} --changePassword`);
  }
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
