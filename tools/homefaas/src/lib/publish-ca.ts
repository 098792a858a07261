import { createCa, describeCertificate, encryptPrivateKey } from '@homefaas/certificates';
import { HomefaasError, isHomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import { normalizeOptions as caDefaults } from '../generators/ca/generator';
import { CREATE_CA_COMMAND, KEY_FILE_MODE, RENEW_BEFORE_DAYS } from './ca-files';
import { readOptional } from './registry-files';
import type { ResolvedRegistrySettings } from './registry-settings';
import { REGISTRY_UP_COMMAND } from './registry-setup';
import type { StepResult } from './step';
import { writeFileAtomic } from './write-file-atomic';

/** Input of {@link ensureWorkspaceCa}. */
export interface EnsureCaOptions {
  dryRun?: boolean;
  logger?: Logger;
  now?: Date;
}

/** The CA step's report, and whether the registry certificate is missing or must be reissued soon. */
export interface CaStepResult extends StepResult {
  renewalDue: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The CA step of publish: the CA exists (created with `nx g ca`'s defaults when missing and a passphrase is
 * given), it has not expired, and neither it nor the registry certificate expires within
 * {@link RENEW_BEFORE_DAYS} days without a warning that says what to run.
 */
export async function ensureWorkspaceCa(
  settings: Readonly<ResolvedRegistrySettings>,
  options: EnsureCaOptions = {},
): Promise<CaStepResult> {
  const logger = options.logger ?? SILENT_LOGGER;
  const now = options.now ?? new Date();
  const name = 'certificates';
  const shown = settings.ca.certDisplayPath;
  const pem = await readOptional(settings.ca.certPath);
  if (pem === undefined) {
    if (options.dryRun) {
      return {
        name: 'CA',
        changed: true,
        detail: `${shown} does not exist: would create it`,
        renewalDue: true,
      };
    }
    return { name: 'CA', changed: true, detail: await createWorkspaceCa(settings, now), renewalDue: true };
  }
  const ca = describeCertificate(pem);
  if (ca.notAfter <= now) {
    throw new HomefaasError('ERR_CA_EXPIRED', `The CA ${shown} expired on ${day(ca.notAfter)}.`, {
      hint: `Replace it with \`${CREATE_CA_COMMAND} --rotate\`, then publish again (the registry certificate is reissued and every node must trust the new CA: npx nx g node-trust).`,
    });
  }
  if (ca.notAfter.getTime() - now.getTime() <= RENEW_BEFORE_DAYS * DAY_MS) {
    logger.warn(
      `The CA ${shown} expires on ${day(ca.notAfter)}: rotate it soon with \`${CREATE_CA_COMMAND} --rotate\` and install the new one on every node.`,
    );
  }
  const parts = [`${shown} valid until ${day(ca.notAfter)}`];
  const leafPem = await readOptional(settings.files.cert);
  let renewalDue = leafPem === undefined;
  if (leafPem !== undefined) {
    const leaf = describeCertificate(leafPem);
    parts.push(`registry certificate until ${day(leaf.notAfter)}`);
    if (leaf.notAfter.getTime() - now.getTime() <= RENEW_BEFORE_DAYS * DAY_MS) {
      renewalDue = true;
      logger.warn(
        `The registry certificate expires on ${day(leaf.notAfter)}: the registry step reissues it now, which needs HOMEFAAS_CA_PASSPHRASE (or run ${REGISTRY_UP_COMMAND}).`,
      );
    }
  }
  return { name, changed: false, detail: parts.join('; '), renewalDue };
}

/** Creates the workspace CA like `nx g ca` with its defaults; the key is written first, encrypted. */
async function createWorkspaceCa(settings: Readonly<ResolvedRegistrySettings>, now: Date): Promise<string> {
  const defaults = await caDefaults({});
  const host = settings.host.toLowerCase();
  if (!defaults.permittedDomains.some((domain) => host === domain || host.endsWith(`.${domain}`))) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${settings.ca.certDisplayPath} does not exist.`,
      {
        hint: `The registry host ${settings.host} is outside the default name constraints (${defaults.permittedDomains.join(', ')}): create the CA with \`${CREATE_CA_COMMAND} --permittedDomains ${host.split('.').slice(1).join('.') || host}\`.`,
      },
    );
  }
  let passphrase: string;
  try {
    passphrase = await settings.secrets.caPassphrase();
  } catch (error) {
    if (!isHomefaasError(error, 'ERR_SECRET_MISSING')) throw error;
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${settings.ca.certDisplayPath} does not exist.`,
      {
        hint: `Create one with \`${CREATE_CA_COMMAND}\`, or set HOMEFAAS_CA_PASSPHRASE (or HOMEFAAS_CA_PASSPHRASE_FILE) and publish creates it.`,
      },
    );
  }
  const ca = await createCa({
    commonName: defaults.commonName,
    permittedDomains: [...defaults.permittedDomains],
    permittedIps: [...defaults.permittedIps],
    days: defaults.days,
    keyBits: defaults.keyBits,
    now,
  });
  await writeFileAtomic(settings.ca.keyPath, encryptPrivateKey(ca.keyPem, passphrase), {
    mode: KEY_FILE_MODE,
  });
  await writeFileAtomic(settings.ca.certPath, ca.certPem, { mode: 0o644 });
  const info = describeCertificate(ca.certPem);
  return `created ${settings.ca.certDisplayPath} (${info.subject}, names under ${defaults.permittedDomains.join(', ')}, valid until ${day(info.notAfter)}); commit it, keep ${settings.ca.keyDisplayPath} private`;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
