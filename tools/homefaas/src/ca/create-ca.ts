import { type CaMaterial, createCa, describeCertificate, encryptPrivateKey } from '@homefaas/certificates';
import { HomefaasError, isHomefaasError } from '@homefaas/core';
import { formatDay } from '../common/format-day';
import { KEY_FILE_MODE, type PlannedWrite, writePlannedFiles } from '../common/workspace-files';
import { type CaLocation, CREATE_CA_COMMAND } from './ca-location';
import { type ResolvedCaOptions, resolveCaOptions } from './ca-options';
import { CA_PASSPHRASE_SOURCES } from './ca-passphrase';

/** A new CA in memory, made as the options say. */
export function newCa(options: ResolvedCaOptions, now?: Date): Promise<CaMaterial> {
  return createCa({
    commonName: options.commonName,
    permittedDomains: [...options.permittedDomains],
    permittedIps: [...options.permittedIps],
    days: options.days,
    keyBits: options.keyBits,
    now,
  });
}

/**
 * The files of a new CA pair: the key encrypted with `passphrase`, first, then the certificate, both
 * `exclusive` (created only where no file is, see `writePlannedFiles`), so no CA key is ever written over.
 * An interruption between them leaves a key without certificate, which every command reports (and a failed
 * write removes it again).
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

/** What {@link createDefaultCa} needs: the registry host it must be able to sign, and the passphrase. */
export interface CreateDefaultCaOptions {
  /** The registry host: the default name constraints must permit it. */
  host: string;
  /** The new key's passphrase; its ERR_SECRET_MISSING becomes ERR_CA_MISSING saying how to create a CA. */
  passphrase: () => Promise<string>;
  now?: Date;
}

/**
 * Creates the workspace CA like `nx g ca` with its defaults, where `location` says; the key first, and only
 * where no file is. Returns what it did, in words.
 */
export async function createDefaultCa(
  location: CaLocation,
  options: CreateDefaultCaOptions,
): Promise<string> {
  const defaults = resolveCaOptions({});
  const host = options.host.toLowerCase();
  if (!defaults.permittedDomains.some((domain) => host === domain || host.endsWith(`.${domain}`))) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${location.certDisplayPath} does not exist.`,
      {
        hint: `The registry host ${options.host} is outside the default name constraints (${defaults.permittedDomains.join(', ')}): create the CA with \`${CREATE_CA_COMMAND} --permittedDomains ${host.split('.').slice(1).join('.') || host}\`.`,
      },
    );
  }
  let passphrase: string;
  try {
    passphrase = await options.passphrase();
  } catch (error) {
    if (!isHomefaasError(error, 'ERR_SECRET_MISSING')) throw error;
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${location.certDisplayPath} does not exist.`,
      {
        hint: `Create one with \`${CREATE_CA_COMMAND}\`, or set ${CA_PASSPHRASE_SOURCES} and publish creates it.`,
      },
    );
  }
  const ca = await newCa(defaults, options.now);
  await writePlannedFiles(newCaWrites(location, ca, passphrase), location.root);
  const info = describeCertificate(ca.certPem);
  return `created ${location.certDisplayPath} (${info.subject}, names under ${defaults.permittedDomains.join(', ')}, valid until ${formatDay(info.notAfter)}); commit it, keep ${location.keyDisplayPath} private`;
}
