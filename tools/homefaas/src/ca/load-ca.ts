import { lstat, stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import {
  type CaMaterial,
  type CertificateInfo,
  certificateTextProblem,
  decryptPrivateKey,
  describeCertificate,
  keyMatchesCertificate,
  type PemProblem,
  privateKeyTextProblem,
} from '@homefaas/certificates';
import { type ErrorCode, HomefaasError, isHomefaasError, type Logger } from '@homefaas/core';
import type { Tree } from '@nx/devkit';
import { fileError } from '../common/file-errors';
import { formatDay } from '../common/format-day';
import { readOptional } from '../common/read-optional';
import {
  type CaLocation,
  CREATE_CA_COMMAND,
  type KnownCaFile,
  knownCaFiles,
  ROTATE_CA_COMMAND as ROTATE,
} from './ca-location';
import { CA_PASSPHRASE_SOURCES } from './ca-passphrase';

/** Where to read CA files from: the disk by default; a generator passes its Tree (pending changes included). */
export interface CaReadOptions {
  tree?: Tree;
}

/**
 * The CA certificate's text, `undefined` when the file does not exist. Anything else wrong with it throws
 * its own code naming the file and what to do: ERR_CA_UNREADABLE, ERR_CA_NOT_PEM, ERR_CA_CORRUPT,
 * ERR_CA_NOT_CA.
 */
export async function readCaCertificateIfPresent(
  location: CaLocation,
  options: CaReadOptions = {},
): Promise<string | undefined> {
  const shown = location.certDisplayPath;
  const text = await readCaFile(location, 'certificate', options.tree);
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

/**
 * The CA certificate's text as it is, `undefined` when there is none: for a copy that is handed on as it is
 * (node-trust), where {@link readCaCertificateIfPresent} checks it.
 */
export function readCaCertificateText(
  location: CaLocation,
  options: CaReadOptions = {},
): Promise<string | undefined> {
  return readCaFile(location, 'certificate', options.tree);
}

/** Input of {@link readCaCertificate}. */
export interface ReadCaCertificateOptions extends CaReadOptions {
  /** The command to run again once the CA exists, for the hint of a missing CA (`npx nx g registry`). */
  rerun?: string;
}

/** The CA certificate and what it says; ERR_CA_MISSING names the command that creates one. */
export async function readCaCertificate(
  location: CaLocation,
  options: ReadCaCertificateOptions = {},
): Promise<{ pem: string; info: CertificateInfo }> {
  const pem = await readCaCertificateIfPresent(location, options);
  if (pem === undefined) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${location.certDisplayPath} does not exist.`,
      {
        hint:
          options.rerun === undefined
            ? `Create one with \`${CREATE_CA_COMMAND}\` (or adopt yours with \`${CREATE_CA_COMMAND} --importCert FILE --importKey FILE\`).`
            : `Create one first with \`${CREATE_CA_COMMAND}\`, then run \`${options.rerun}\` again.`,
      },
    );
  }
  return { pem, info: describeCertificate(pem) };
}

/**
 * {@link readCaCertificate}, and the CA must not have expired: ERR_CA_EXPIRED says to rotate it, then
 * `then` (what to run after that).
 */
export async function readUnexpiredCaCertificate(
  location: CaLocation,
  then: string,
  now: Date = new Date(),
): Promise<{ pem: string; info: CertificateInfo }> {
  const certificate = await readCaCertificate(location);
  assertCaNotExpired(location, certificate.info, now, then);
  return certificate;
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
    `The CA ${location.certDisplayPath} expired on ${formatDay(info.notAfter)}.`,
    {
      hint: `Replace it with ${ROTATE}, then ${then}.`,
    },
  );
}

/** The CA key's text with its structure checked (no passphrase needed); `undefined` when it does not exist. */
export async function readCaKeyIfPresent(
  location: CaLocation,
  options: CaReadOptions = {},
): Promise<string | undefined> {
  const text = await readCaFile(location, 'key', options.tree);
  if (text === undefined) return undefined;
  const problem = privateKeyTextProblem(text);
  if (problem !== undefined) throw caKeyError(problem, location.keyDisplayPath);
  return text;
}

/** Input of {@link unlockCa}. */
export interface UnlockCaOptions extends CaReadOptions {
  /** What a missing key was needed for, in its message: `a certificate` by default. */
  neededFor?: string;
  /** Whether a missing key's hint offers to replace the CA when the key is lost (default true). */
  offerRotate?: boolean;
}

/**
 * Loads the workspace CA for signing: reads the key where homefaas.json says (ERR_CA_KEY_MISSING when it is
 * not there), then decrypts it and checks it against `certPem` ({@link unlockCaKey}).
 */
export async function unlockCa(
  location: CaLocation,
  certPem: string,
  passphrase: string,
  options: UnlockCaOptions = {},
): Promise<CaMaterial> {
  const keyText = await readCaKeyIfPresent(location, options);
  if (keyText === undefined) {
    const lost =
      options.offerRotate === false
        ? ''
        : ` If it is lost, ${ROTATE} creates a new CA, which every node must then trust.`;
    throw new HomefaasError(
      'ERR_CA_KEY_MISSING',
      `The CA key ${location.keyDisplayPath} does not exist, and it is needed to issue ${options.neededFor ?? 'a certificate'}.`,
      {
        hint: `Run this where the CA key is kept, or restore it from your backup (it is never committed).${lost}`,
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
  mismatchCode?: ErrorCode;
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
 * The CA at its configured place, in words, or `undefined` when it has no certificate there. A damaged or
 * unreadable certificate or key throws its own error (a non-zero exit that says what to do), and a key
 * open to other users is warned about.
 */
export async function describeExistingCa(location: CaLocation, logger: Logger): Promise<string | undefined> {
  const pem = await readCaCertificateIfPresent(location);
  const key = await readCaKeyIfPresent(location);
  if (pem === undefined) return undefined;
  const mode = await caKeyModeProblem(location);
  if (mode !== undefined) logger.warn(`${mode.problem}. ${mode.fix}`);
  const info = describeCertificate(pem);
  const keyNote = key === undefined ? `; its key ${location.keyDisplayPath} is not on this machine` : '';
  return `${location.certDisplayPath}, ${info.subject}, valid until ${formatDay(info.notAfter)}${keyNote}`;
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
 * A CA file's text, `undefined` when there is none. Through the Tree when one is given and the file is
 * inside the workspace (a generator sees its own pending changes), else from disk (ERR_CA_UNREADABLE).
 */
async function readCaFile(
  location: CaLocation,
  role: 'certificate' | 'key',
  tree: Tree | undefined,
): Promise<string | undefined> {
  const [path, shown] =
    role === 'certificate'
      ? [location.certPath, location.certDisplayPath]
      : [location.keyPath, location.keyDisplayPath];
  if (tree !== undefined) {
    const inWorkspace = relative(tree.root, path);
    if (!inWorkspace.startsWith('..') && !isAbsolute(inWorkspace))
      return tree.read(inWorkspace, 'utf8') ?? undefined;
  }
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
