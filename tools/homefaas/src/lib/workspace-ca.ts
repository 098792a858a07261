import { readFile } from 'node:fs/promises';
import {
  type CaMaterial,
  decryptPrivateKey,
  describeCertificate,
  keyMatchesCertificate,
} from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import { CREATE_CA_COMMAND } from './ca-files';
import { readOptional } from './read-optional';
import { REGISTRY_UP_COMMAND } from './registry-layout';
import type { ResolvedRegistrySettings } from './registry-settings';

/** The CA certificate and its expiry; ERR_CA_MISSING / ERR_CA_EXPIRED say what to run. */
export async function readWorkspaceCaCertificate(
  settings: Readonly<ResolvedRegistrySettings>,
  now: Date = new Date(),
): Promise<{ pem: string; notAfter: Date }> {
  const pem = await readOptional(settings.ca.certPath);
  if (pem === undefined) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${settings.ca.certDisplayPath} does not exist.`,
      {
        hint: `Create one with \`${CREATE_CA_COMMAND}\` (or adopt yours with \`${CREATE_CA_COMMAND} --importCert FILE --importKey FILE\`).`,
      },
    );
  }
  const { notAfter } = describeCertificate(pem);
  if (notAfter <= now) {
    throw new HomefaasError(
      'ERR_CA_EXPIRED',
      `The CA ${settings.ca.certDisplayPath} expired on ${day(notAfter)}.`,
      {
        hint: `Replace it with \`${CREATE_CA_COMMAND} --rotate\`, then run ${REGISTRY_UP_COMMAND} again.`,
      },
    );
  }
  return { pem, notAfter };
}

/** Decrypts the CA key named in homefaas.json and checks it belongs to the CA certificate. */
export async function loadWorkspaceCa(
  settings: Readonly<ResolvedRegistrySettings>,
  certPem: string,
  passphrase: string,
): Promise<CaMaterial> {
  let encrypted: string;
  try {
    encrypted = await readFile(settings.ca.keyPath, 'utf8');
  } catch (error) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `The CA key ${settings.ca.keyDisplayPath} cannot be read, and a certificate must be issued.`,
      {
        hint: `Restore it, or create a new CA with \`${CREATE_CA_COMMAND} --rotate\`.`,
        cause: error,
      },
    );
  }
  const keyPem = decryptPrivateKey(encrypted, passphrase);
  if (!keyMatchesCertificate(keyPem, certPem)) {
    throw new HomefaasError(
      'ERR_CA_MISMATCH',
      `${settings.ca.keyDisplayPath} is not the key of ${settings.ca.certDisplayPath}.`,
      {
        hint: `Restore the matching pair, or replace it with \`${CREATE_CA_COMMAND} --rotate\`.`,
      },
    );
  }
  return { certPem, keyPem };
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
