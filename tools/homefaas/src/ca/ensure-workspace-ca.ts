import { certificateTextProblem, describeCertificate, isRenewalDue } from '@homefaas/certificates';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import { formatDay } from '../common/format-day';
import type { StepResult } from '../common/step';
import { readFileIfPresent } from '../common/workspace-files';
import { REGISTRY_UP_COMMAND } from '../registry/registry-layout';
import type { ResolvedRegistrySettings } from '../registry/registry-settings';
import { CREATE_CA_COMMAND } from './ca-location';
import { CA_PASSPHRASE_SOURCES } from './ca-passphrase';
import { createDefaultCa } from './create-ca';
import {
  assertCaNotExpired,
  assertNoCaAnywhere,
  caKeyModeProblem,
  readCaCertificateIfPresent,
} from './load-ca';

/** Input of {@link ensureWorkspaceCa}. */
export interface EnsureCaOptions {
  dryRun?: boolean;
  logger?: Logger;
  now?: Date;
  /**
   * May a missing CA be created (default true)? False on a machine that publishes with the committed CA
   * certificate only, such as CI: it never creates a CA nor asks for a passphrase, and a missing
   * certificate is ERR_CA_MISSING naming the file to commit.
   */
  allowCreate?: boolean;
}

/** The CA step's report, and whether the registry certificate is missing or must be reissued soon. */
export interface CaStepResult extends StepResult {
  renewalDue: boolean;
}

/** The CA warns this many days ahead at most (a 10-year CA, not 3 years of warnings). */
const CA_WARNING_DAYS = 30;

/**
 * The CA step of publish: the CA certificate is where homefaas.json says, is a CA and has not expired; when
 * it is missing, it is created with `nx g ca`'s defaults (a passphrase given, `allowCreate` not false), but
 * only if no CA file is at any path the workspace knows, and the key only where no file is. Warns when the
 * CA or the registry certificate is near its end, and when the CA key is open to other users.
 */
export async function ensureWorkspaceCa(
  settings: Readonly<ResolvedRegistrySettings>,
  options: EnsureCaOptions = {},
): Promise<CaStepResult> {
  const logger = options.logger ?? SILENT_LOGGER;
  const now = options.now ?? new Date();
  const location = settings.ca;
  const shown = location.certDisplayPath;
  const pem = await readCaCertificateIfPresent(location);
  if (pem === undefined) {
    await assertNoCaAnywhere(location);
    if (options.allowCreate === false) {
      throw new HomefaasError(
        'ERR_CA_MISSING',
        `No CA certificate at ${shown}, and this publish may not create one.`,
        {
          hint: `Commit ${shown}: create it once with \`${CREATE_CA_COMMAND}\` on the machine that keeps the key (${location.keyDisplayPath}, never committed), then push it.`,
        },
      );
    }
    if (options.dryRun) {
      return {
        name: 'CA',
        changed: true,
        detail: `${shown} does not exist: would create it`,
        renewalDue: true,
      };
    }
    const detail = await createDefaultCa(location, {
      host: settings.host,
      passphrase: settings.secrets.caPassphrase,
      now,
    });
    return { name: 'CA', changed: true, detail, renewalDue: true };
  }
  const ca = describeCertificate(pem);
  assertCaNotExpired(
    location,
    ca,
    now,
    'publish again (the registry certificate is reissued and every node must trust the new CA: npx nx g node-trust)',
  );
  if (isRenewalDue(ca, now, CA_WARNING_DAYS)) {
    logger.warn(
      `The CA ${shown} expires on ${formatDay(ca.notAfter)}: rotate it soon with \`${CREATE_CA_COMMAND} --rotate\` and install the new one on every node.`,
    );
  }
  const mode = await caKeyModeProblem(location);
  if (mode !== undefined) logger.warn(`${mode.problem}. ${mode.fix}`);
  const parts = [`${shown} valid until ${formatDay(ca.notAfter)}`];
  const leaf = await registryCertificateState(settings, now);
  if (leaf.until !== undefined) parts.push(`registry certificate until ${formatDay(leaf.until)}`);
  if (leaf.warning !== undefined) logger.warn(leaf.warning);
  return { name: 'certificates', changed: false, detail: parts.join('; '), renewalDue: leaf.renewalDue };
}

/** Whether the registry certificate must be (re)issued: missing, damaged, or in the last third of its life. */
async function registryCertificateState(
  settings: Readonly<ResolvedRegistrySettings>,
  now: Date,
): Promise<{ renewalDue: boolean; until?: Date; warning?: string }> {
  const shown = `${settings.serverCertDisplayDir}/${settings.host}.crt`;
  const pem = await readFileIfPresent(settings.files.cert, settings.root);
  if (pem === undefined) return { renewalDue: true };
  const reissue = `the registry step reissues it now, which needs ${CA_PASSPHRASE_SOURCES} (or run ${REGISTRY_UP_COMMAND})`;
  const problem = certificateTextProblem(pem);
  if (problem !== undefined) {
    return { renewalDue: true, warning: `The registry certificate ${shown} ${problem.detail}: ${reissue}.` };
  }
  const info = describeCertificate(pem);
  if (!isRenewalDue(info, now)) return { renewalDue: false, until: info.notAfter };
  return {
    renewalDue: true,
    until: info.notAfter,
    warning: `The registry certificate expires on ${formatDay(info.notAfter)}: ${reissue}.`,
  };
}
