import { describeCertificate } from '@homefaas/certificates';
import { errorMessage } from '@homefaas/core';
import { CREATE_CA_COMMAND } from '../../lib/ca-files';
import { readOptional } from '../../lib/read-optional';
import { registryCertificateProblem } from '../../lib/registry-files';
import type { ResolvedRegistrySettings } from '../../lib/registry-settings';
import { type CheckResult, FIX } from './check-result';

/** The CA certificate exists, is a CA and has not expired; says until when it is valid. */
export function caCheck(
  settings: Readonly<ResolvedRegistrySettings>,
  caPem: string | undefined,
  now: Date,
): CheckResult {
  const name = 'CA';
  const shown = settings.ca.certDisplayPath;
  const create = `Create one with \`${CREATE_CA_COMMAND}\`.`;
  if (caPem === undefined) return { name, ok: false, detail: `${shown} does not exist`, hint: create };
  try {
    const info = describeCertificate(caPem);
    const until = info.notAfter.toISOString().slice(0, 10);
    if (info.notAfter <= now) {
      return {
        name,
        ok: false,
        detail: `${shown} expired on ${until}`,
        hint: `Replace it: \`${CREATE_CA_COMMAND} --rotate\`.`,
      };
    }
    if (!info.isCa) return { name, ok: false, detail: `${shown} is not a CA certificate`, hint: create };
    return { name, ok: true, detail: `${shown} (${info.subject}) valid until ${until}` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `${shown} does not parse: ${errorMessage(error)}`,
      hint: `Restore it, or \`${CREATE_CA_COMMAND} --rotate\`.`,
    };
  }
}

/** The registry certificate is signed by the CA, valid for the host and its IPs, key matching, not expiring. */
export async function certificateCheck(
  settings: Readonly<ResolvedRegistrySettings>,
  caPem: string | undefined,
  now: Date,
): Promise<CheckResult> {
  const name = 'registry certificate';
  const shown = `${settings.certDir}/${settings.host}.crt`;
  if (caPem === undefined) {
    return {
      name,
      ok: false,
      detail: 'no CA to check it against',
      hint: `Create one with \`${CREATE_CA_COMMAND}\`.`,
    };
  }
  const problem = await registryCertificateProblem({
    root: settings.root,
    host: settings.host,
    ips: settings.ips,
    dir: settings.certDir,
    days: settings.certDays,
    caPem,
    now,
  });
  if (problem !== undefined) return { name, ok: false, detail: `${shown}: ${problem}`, hint: FIX };
  const until = describeCertificate((await readOptional(`${settings.root}/${shown}`)) ?? '').notAfter;
  return {
    name,
    ok: true,
    detail: `${shown} valid for ${settings.host}, signed by the CA, until ${until.toISOString().slice(0, 10)}`,
  };
}
