import { readFile } from 'node:fs/promises';
import {
  type CaMaterial,
  certificateTextProblem,
  describeCertificate,
  isEncryptedPrivateKey,
} from '@homefaas/certificates';
import { errorMessage, HomefaasError, type Logger } from '@homefaas/core';
import type { SecretPromptInput } from '../common/secret-input';
import { CREATE_CA_COMMAND } from './ca-location';
import type { ResolvedCaOptions } from './ca-options';
import { CA_IMPORT_PASSPHRASE_SOURCES, readImportPassphrase } from './ca-passphrase';
import { unlockCaKey } from './load-ca';

/** A CA to adopt (`nx g ca --importCert --importKey`): absolute paths and the files' texts. */
export interface CaImport {
  readonly certPath: string;
  readonly certPem: string;
  readonly keyPath: string;
  readonly keyPem: string;
}

/** Reads the certificate and key to adopt; a file that cannot be read is ERR_CA_IMPORT naming the option. */
export async function readCaImport(paths: NonNullable<ResolvedCaOptions['import']>): Promise<CaImport> {
  const certPem = await readImport(paths.certPath, '--importCert');
  const keyPem = await readImport(paths.keyPath, '--importKey');
  return { certPath: paths.certPath, certPem, keyPath: paths.keyPath, keyPem };
}

/** What {@link adoptCa} needs besides the files. */
export interface AdoptCaOptions {
  /** The passphrase the adopted key is stored with from now on. */
  newPassphrase: string;
  /** Where the key's current passphrase is asked (HOMEFAAS_CA_IMPORT_PASSPHRASE, a prompt). */
  env: NodeJS.ProcessEnv;
  input?: SecretPromptInput;
  logger: Logger;
  now?: Date;
}

/**
 * Checks a CA to adopt: a PEM CA certificate, a key that decrypts (with its own passphrase, else the new one)
 * and belongs to it (ERR_CA_IMPORT_MISMATCH), not expired. Warns when it has no name constraints.
 */
export async function adoptCa(imported: CaImport, options: AdoptCaOptions): Promise<CaMaterial> {
  const problem = certificateTextProblem(imported.certPem);
  if (problem !== undefined) {
    throw new HomefaasError('ERR_CA_IMPORT', `--importCert ${imported.certPath} ${problem.detail}.`, {
      hint: 'Give the CA certificate in PEM (convert DER with openssl x509 -inform der -in FILE -out FILE.pem).',
    });
  }
  const info = describeCertificate(imported.certPem);
  if (!info.isCa) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `--importCert ${imported.certPath} is not a CA certificate (no CA:TRUE).`,
      {
        hint: 'Give the root certificate that signed your server certificates, not a server certificate.',
      },
    );
  }
  const current = isEncryptedPrivateKey(imported.keyPem)
    ? ((await readImportPassphrase({
        label: 'Current passphrase of the imported key (Enter: same as the new one)',
        env: options.env,
        input: options.input,
      })) ?? options.newPassphrase)
    : options.newPassphrase;
  const { keyPem } = unlockCaKey({
    certPem: imported.certPem,
    keyText: imported.keyPem,
    certShown: `--importCert ${imported.certPath}`,
    keyShown: `--importKey ${imported.keyPath}`,
    passphrase: current,
    passphraseSources: CA_IMPORT_PASSPHRASE_SOURCES,
    mismatchCode: 'ERR_CA_IMPORT_MISMATCH',
  });
  if (info.notAfter.getTime() < (options.now ?? new Date()).getTime()) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `--importCert ${imported.certPath} expired on ${info.notAfter.toISOString()}.`,
      {
        hint: `Create a new CA with \`${CREATE_CA_COMMAND} --rotate\` instead.`,
      },
    );
  }
  if (info.permittedDomains.length === 0) {
    options.logger.warn(
      'The imported CA has no DNS name constraints: its key can sign certificates for any site.',
    );
  }
  return { certPem: imported.certPem, keyPem };
}

async function readImport(path: string, inputName: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `Cannot read ${inputName} ${path}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}.`,
      {
        hint: 'Give the path of the file, relative to the current directory or absolute.',
        cause: error,
      },
    );
  }
}
