import { existsSync, readFileSync } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  type CaMaterial,
  type CertificateInfo,
  certificateTextProblem,
  decryptPrivateKey,
  describeCertificate,
  encryptPrivateKey,
  keyMatchesCertificate,
  type PemProblem,
  privateKeyTextProblem,
} from '@homefaas/certificates';
import { parseHomefaasConfig, type ResolvedHomefaasConfig } from '@homefaas/config';
import { HomefaasError, isHomefaasError } from '@homefaas/core';
import type { Tree } from '@nx/devkit';
import { fileError } from '../common/file-errors';
import { readOptional } from '../common/read-optional';
import type { ResolvedRegistrySettings } from '../registry/registry-settings';
import { CREATE_CA_COMMAND, KEY_FILE_MODE, type PlannedWrite } from './ca-files';

/**
 * Where the workspace CA lives: homefaas.json `ca.certPath` and `ca.keyPath` (relative to the root, or
 * absolute). Every command reads the CA through this module and nothing else knows these paths.
 */
export interface CaLocation {
  root: string;
  certPath: string;
  keyPath: string;
  /** The paths as homefaas.json spells them, for messages. */
  certDisplayPath: string;
  keyDisplayPath: string;
}

/** A path the workspace knows a CA file by: the configured ones, and the defaults when they differ. */
export interface KnownCaFile {
  path: string;
  shown: string;
  role: 'certificate' | 'key';
  configured: boolean;
}

/** homefaas.json's defaults: `infra/ca/homeCA.pem` (committed) and `infra/ca/homeCA.key` (0600, git-ignored). */
export const DEFAULT_CA_PATHS: Readonly<ResolvedHomefaasConfig['ca']> = Object.freeze(
  parseHomefaasConfig(undefined).ca,
);
/** Where a CA passphrase comes from, for hints. */
export const CA_PASSPHRASE_SOURCES = 'HOMEFAAS_CA_PASSPHRASE (or HOMEFAAS_CA_PASSPHRASE_FILE)';
const ROTATE = `\`${CREATE_CA_COMMAND} --rotate\``;

/** The CA's files from homefaas.json's `ca` section; refuses a key and certificate in one file. */
export function resolveCaLocation(
  root: string,
  ca: ResolvedHomefaasConfig['ca'] = DEFAULT_CA_PATHS,
): CaLocation {
  const location = {
    root,
    certPath: absolute(root, ca.certPath),
    keyPath: absolute(root, ca.keyPath),
    certDisplayPath: ca.certPath,
    keyDisplayPath: ca.keyPath,
  };
  if (location.certPath === location.keyPath) {
    throw new HomefaasError(
      'ERR_CA_PATHS',
      `homefaas.json ca.certPath and ca.keyPath name the same file (${ca.certPath}).`,
      {
        hint: `Give each its own file, e.g. "certPath": "${DEFAULT_CA_PATHS.certPath}", "keyPath": "${DEFAULT_CA_PATHS.keyPath}": the certificate is committed, the key never is.`,
      },
    );
  }
  return location;
}

/**
 * A CA file's text as a generator sees it: through the Tree (pending changes included) when it is inside the
 * workspace, else from disk; `undefined` when there is none.
 */
export function readCaFileInTree(tree: Tree, path: string): string | undefined {
  const inWorkspace = relative(tree.root, path);
  if (!inWorkspace.startsWith('..') && !isAbsolute(inWorkspace))
    return tree.read(inWorkspace, 'utf8') ?? undefined;
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Every path the workspace knows a CA file by: the configured certificate and key, then the defaults. */
export function knownCaFiles(location: CaLocation): KnownCaFile[] {
  const defaults = resolveCaLocation(location.root);
  const files: KnownCaFile[] = [
    { path: location.certPath, shown: location.certDisplayPath, role: 'certificate', configured: true },
    { path: location.keyPath, shown: location.keyDisplayPath, role: 'key', configured: true },
    { path: defaults.certPath, shown: defaults.certDisplayPath, role: 'certificate', configured: false },
    { path: defaults.keyPath, shown: defaults.keyDisplayPath, role: 'key', configured: false },
  ];
  return files.filter((file, i) => files.findIndex((other) => other.path === file.path) === i);
}

/** The known CA files that exist. Anything at the path counts (a folder, a broken link, a file we cannot read). */
export async function existingCaFiles(location: CaLocation): Promise<KnownCaFile[]> {
  const present = await Promise.all(knownCaFiles(location).map((file) => isTaken(file.path)));
  return knownCaFiles(location).filter((_, i) => present[i]);
}

/** True when anything is at `path`. Only "not there" is absence: a path we cannot look at may hold a key. */
export async function isTaken(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Refuses (ERR_CA_INCOMPLETE, ERR_CA_ELSEWHERE) to create a CA while any path the workspace knows holds a
 * CA file: a new key must never replace an old one, nor a second CA hide the first.
 */
export async function assertNoCaAnywhere(location: CaLocation): Promise<void> {
  const existing = await existingCaFiles(location);
  if (existing.length === 0) return;
  const key = existing.find((file) => file.configured && file.role === 'key');
  if (key !== undefined) {
    throw new HomefaasError(
      'ERR_CA_INCOMPLETE',
      `The CA key ${key.shown} exists but its certificate ${location.certDisplayPath} does not: no new CA is created over it.`,
      {
        hint: `Restore ${location.certDisplayPath} (it is committed: git checkout -- ${location.certDisplayPath}), or set ca.certPath in homefaas.json to where it is. To start over, run ${ROTATE}: the key is moved aside, never deleted.`,
      },
    );
  }
  const list = existing.map((file) => file.shown).join(' and ');
  throw new HomefaasError(
    'ERR_CA_ELSEWHERE',
    `homefaas.json puts the CA at ${location.certDisplayPath}, where there is none, but ${list} exist${existing.length === 1 ? 's' : ''}: no second CA is created.`,
    {
      hint: `If that is your CA, set ca.certPath and ca.keyPath in homefaas.json to it (or move its files to ${location.certDisplayPath} and ${location.keyDisplayPath}). To create a new CA there anyway, run ${ROTATE}.`,
    },
  );
}

/**
 * The CA certificate's text, `undefined` when the file does not exist. Anything else wrong with it throws
 * its own code naming the file and what to do: ERR_CA_UNREADABLE, ERR_CA_NOT_PEM, ERR_CA_CORRUPT,
 * ERR_CA_NOT_CA.
 */
export async function readCaCertificateIfPresent(location: CaLocation): Promise<string | undefined> {
  const shown = location.certDisplayPath;
  const text = await readCaFile(location.certPath, shown, 'certificate');
  if (text === undefined) return undefined;
  const problem = certificateTextProblem(text);
  if (problem !== undefined) throw caCertificateError(problem, shown);
  if (!describeCertificate(text).isCa) {
    throw new HomefaasError(
      'ERR_CA_NOT_CA',
      `${shown} is not a CA certificate (no basicConstraints CA:TRUE).`,
      {
        hint: `ca.certPath must name the CA (root) certificate, not a server certificate. Restore it, or create a CA with ${ROTATE}.`,
      },
    );
  }
  return text;
}

/** The CA certificate and what it says; ERR_CA_MISSING names the command that creates one. */
export async function readCaCertificate(
  location: CaLocation,
): Promise<{ pem: string; info: CertificateInfo }> {
  const pem = await readCaCertificateIfPresent(location);
  if (pem === undefined) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${location.certDisplayPath} does not exist.`,
      {
        hint: `Create one with \`${CREATE_CA_COMMAND}\` (or adopt yours with \`${CREATE_CA_COMMAND} --importCert FILE --importKey FILE\`).`,
      },
    );
  }
  return { pem, info: describeCertificate(pem) };
}

/** Throws ERR_CA_EXPIRED, with the rotate command and `then` (what to run after it), for an expired CA. */
export function assertCaNotExpired(
  location: CaLocation,
  info: CertificateInfo,
  now: Date,
  then: string,
): void {
  if (info.notAfter > now) return;
  throw new HomefaasError(
    'ERR_CA_EXPIRED',
    `The CA ${location.certDisplayPath} expired on ${day(info.notAfter)}.`,
    {
      hint: `Replace it with ${ROTATE}, then ${then}.`,
    },
  );
}

/** The CA key's text with its structure checked (no passphrase needed); `undefined` when it does not exist. */
export async function readCaKeyIfPresent(location: CaLocation): Promise<string | undefined> {
  const text = await readCaFile(location.keyPath, location.keyDisplayPath, 'key');
  if (text === undefined) return undefined;
  const problem = privateKeyTextProblem(text);
  if (problem !== undefined) throw caKeyError(problem, location.keyDisplayPath);
  return text;
}

/** Reads, decrypts and checks the workspace CA key against `certPem` ({@link unlockCaKey}). */
export async function unlockCa(
  location: CaLocation,
  certPem: string,
  passphrase: string,
): Promise<CaMaterial> {
  const keyText = await readCaKeyIfPresent(location);
  if (keyText === undefined) {
    throw new HomefaasError(
      'ERR_CA_KEY_MISSING',
      `The CA key ${location.keyDisplayPath} does not exist, and it is needed to issue a certificate.`,
      {
        hint: `Run this where the CA key is kept, or restore it from your backup (it is never committed). If it is lost, ${ROTATE} creates a new CA, which every node must then trust.`,
      },
    );
  }
  return unlockCaKey({
    certPem,
    keyText,
    certShown: location.certDisplayPath,
    keyShown: location.keyDisplayPath,
    passphrase,
  });
}

/** Input of {@link unlockCaKey}. */
export interface UnlockCaKeyInput {
  certPem: string;
  keyText: string;
  /** How messages name the files (`infra/ca/homeCA.key`, `--importKey seed.key`). */
  certShown: string;
  keyShown: string;
  passphrase: string;
  /** Where the passphrase comes from, for the hint of a wrong one. */
  passphraseSources?: string;
  /** Code of a key that is not the certificate's; ERR_CA_MISMATCH by default. */
  mismatchCode?: string;
}

/**
 * Decrypts a CA key and checks that it belongs to the certificate: the one place that does. A damaged key
 * (ERR_CA_KEY_CORRUPT), text that is no key (ERR_CA_KEY_NOT_PEM), a wrong passphrase (ERR_CA_PASSPHRASE)
 * and another CA's key (ERR_CA_MISMATCH) are told apart, each naming the file.
 */
export function unlockCaKey(input: UnlockCaKeyInput): CaMaterial {
  const problem = privateKeyTextProblem(input.keyText);
  if (problem !== undefined) throw caKeyError(problem, input.keyShown);
  let keyPem: string;
  try {
    keyPem = decryptPrivateKey(input.keyText, input.passphrase);
  } catch (error) {
    if (isHomefaasError(error, 'ERR_CA_PASSPHRASE')) {
      throw new HomefaasError(
        'ERR_CA_PASSPHRASE',
        error.message.replace('the private key', `the CA key ${input.keyShown}`),
        {
          hint: `Give the passphrase it was encrypted with in ${input.passphraseSources ?? CA_PASSPHRASE_SOURCES}.${error.message.includes('damaged') ? ' If that is the one, restore the key from your backup.' : ''}`,
        },
      );
    }
    throw caKeyError({ kind: 'corrupt', detail: 'does not parse as a private key' }, input.keyShown);
  }
  if (!keyMatchesCertificate(keyPem, input.certPem)) {
    throw new HomefaasError(
      input.mismatchCode ?? 'ERR_CA_MISMATCH',
      `${input.keyShown} is not the key of ${input.certShown}.`,
      {
        hint: `Give the key that belongs to this certificate (pairs replaced by ${ROTATE} are kept in an old/ folder next to them), or replace the pair with ${ROTATE}.`,
      },
    );
  }
  return { certPem: input.certPem, keyPem };
}

/**
 * Why the CA key's permissions are unsafe (group or others may read or write it), with the fix; `undefined`
 * when they are fine or the key is not on this machine.
 */
export async function caKeyModeProblem(
  location: CaLocation,
): Promise<{ problem: string; fix: string } | undefined> {
  let mode: number;
  try {
    mode = (await stat(location.keyPath)).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  return {
    problem: `The CA key ${location.keyDisplayPath} is open to ${mode & 0o007 ? 'every user' : 'its group'} (mode ${mode.toString(8).padStart(4, '0')})`,
    fix: `Run chmod 600 ${location.keyDisplayPath}; anyone who could read it may hold a copy of the key: rotate the CA (${ROTATE}) if that matters here.`,
  };
}

/**
 * The files of a new CA pair: the key encrypted with `passphrase`, first, then the certificate, both
 * `exclusive` (created only where no file is, see `writePlannedFiles`), so no CA key is ever written over.
 */
export function newCaWrites(location: CaLocation, ca: CaMaterial, passphrase: string): PlannedWrite[] {
  return [
    {
      path: location.keyPath,
      data: encryptPrivateKey(ca.keyPem, passphrase),
      mode: KEY_FILE_MODE,
      exclusive: true,
    },
    { path: location.certPath, data: ca.certPem, mode: 0o644, exclusive: true },
  ];
}

/** registry-up's CA check: the certificate exists, is a CA and has not expired. */
export async function readWorkspaceCaCertificate(
  settings: Readonly<ResolvedRegistrySettings>,
  now: Date = new Date(),
): Promise<{ pem: string; notAfter: Date }> {
  const { pem, info } = await readCaCertificate(settings.ca);
  assertCaNotExpired(settings.ca, info, now, 'run npx nx run infra:registry-up again');
  return { pem, notAfter: info.notAfter };
}

/** Decrypts the CA key named in homefaas.json and checks it belongs to the CA certificate ({@link unlockCa}). */
export async function loadWorkspaceCa(
  settings: Readonly<ResolvedRegistrySettings>,
  certPem: string,
  passphrase: string,
): Promise<CaMaterial> {
  return unlockCa(settings.ca, certPem, passphrase);
}

async function readCaFile(
  path: string,
  shown: string,
  role: 'certificate' | 'key',
): Promise<string | undefined> {
  try {
    return await readOptional(path);
  } catch (error) {
    throw fileError(error, { shown, action: 'read', label: `the CA ${role}`, code: 'ERR_CA_UNREADABLE' });
  }
}

function caCertificateError(problem: PemProblem, shown: string): HomefaasError {
  const damaged = problem.kind === 'truncated' || problem.kind === 'corrupt';
  const restore = `Restore it from version control (git checkout -- ${shown}) or a backup`;
  const hints: Record<PemProblem['kind'], string> = {
    empty: `${restore}, or create a CA with ${ROTATE}.`,
    binary: `If it is DER, convert it: openssl x509 -inform der -in ${shown} -out ${shown}.pem, and point ca.certPath at the result.`,
    'not-pem': `ca.certPath must name the CA certificate in PEM. ${restore}.`,
    'other-type': 'ca.certPath must name the CA certificate, and ca.keyPath its key: are they swapped?',
    truncated: `${restore}; ${ROTATE} replaces the CA if it cannot be restored.`,
    corrupt: `${restore}; ${ROTATE} replaces the CA if it cannot be restored.`,
  };
  return new HomefaasError(
    damaged ? 'ERR_CA_CORRUPT' : 'ERR_CA_NOT_PEM',
    `The CA certificate ${shown} ${problem.detail}.`,
    { hint: hints[problem.kind] },
  );
}

function caKeyError(problem: PemProblem, shown: string): HomefaasError {
  const damaged = problem.kind === 'truncated' || problem.kind === 'corrupt';
  return new HomefaasError(
    damaged ? 'ERR_CA_KEY_CORRUPT' : 'ERR_CA_KEY_NOT_PEM',
    `The CA key ${shown} ${problem.detail}.`,
    {
      hint: damaged
        ? `The key is damaged, whatever the passphrase: restore it from your backup (keys are never committed). If there is none, ${ROTATE} creates a new CA.`
        : problem.kind === 'other-type'
          ? 'ca.keyPath must name the CA key, and ca.certPath its certificate: are they swapped?'
          : `ca.keyPath must name the CA's PEM private key: restore it from your backup, or create a new CA with ${ROTATE}.`,
    },
  );
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
