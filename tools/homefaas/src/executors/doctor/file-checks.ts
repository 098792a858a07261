import { stat } from 'node:fs/promises';
import { describeCertificate, isEncryptedPrivateKey } from '@homefaas/certificates';
import { CREATE_CA_COMMAND } from '../../ca/ca-location';
import {
  assertNoCaAnywhere,
  caKeyModeProblem,
  readCaCertificateIfPresent,
  readCaKeyIfPresent,
} from '../../ca/load-ca';
import { formatDay } from '../../common/format-day';
import { readFileIfPresent } from '../../common/workspace-files';
import { registryCertificateProblem } from '../../registry/registry-files';
import type { ResolvedRegistrySettings } from '../../registry/registry-settings';
import { type CheckResult, FIX, failed, type Settled, settle } from './check-result';

/** The CA certificate's text (`undefined` when it does not exist), or why it cannot be used. */
export type CaFileState = Settled<string | undefined>;

/** Reads the CA certificate for the checks; never throws: {@link caCheck} reports what is wrong. */
export function readCaState(settings: Readonly<ResolvedRegistrySettings>): Promise<CaFileState> {
  return settle(() => readCaCertificateIfPresent(settings.ca));
}

/**
 * The CA: its certificate exists (else whether a CA is somewhere else the workspace knows), parses, is a CA
 * and has not expired; its key, when on this machine, is whole, encrypted and open to its owner only.
 */
export async function caCheck(
  settings: Readonly<ResolvedRegistrySettings>,
  state: CaFileState,
  now: Date,
): Promise<CheckResult> {
  const name = 'CA';
  const shown = settings.ca.certDisplayPath;
  if (!state.ok) return failed(name, state.error);
  if (state.value === undefined) {
    const elsewhere = await settle(() => assertNoCaAnywhere(settings.ca));
    if (!elsewhere.ok) return failed(name, elsewhere.error);
    return {
      name,
      ok: false,
      detail: `${shown} does not exist`,
      hint: `Create one with \`${CREATE_CA_COMMAND}\`.`,
    };
  }
  const info = describeCertificate(state.value);
  const until = formatDay(info.notAfter);
  if (info.notAfter <= now) {
    return {
      name,
      ok: false,
      detail: `${shown} expired on ${until}`,
      hint: `Replace it: \`${CREATE_CA_COMMAND} --rotate\`.`,
    };
  }
  const key = await caKeyState(settings);
  if (!key.ok) return { name, ...key.failure };
  return { name, ok: true, detail: `${shown} (${info.subject}) valid until ${until}; ${key.detail}` };
}

/** The registry certificate is signed by the CA, valid for the host and its IPs, key matching and private. */
export async function certificateCheck(
  settings: Readonly<ResolvedRegistrySettings>,
  caPem: string | undefined,
  now: Date,
): Promise<CheckResult> {
  const name = 'registry certificate';
  const shown = `${settings.serverCertDisplayDir}/${settings.host}.crt`;
  if (caPem === undefined) {
    return {
      name,
      ok: false,
      detail: 'no CA to check it against',
      hint: `Create one with \`${CREATE_CA_COMMAND}\`.`,
    };
  }
  const problem = await settle(() =>
    registryCertificateProblem({
      root: settings.root,
      host: settings.host,
      ips: settings.ips,
      dir: settings.serverCertDisplayDir,
      caPem,
      now,
    }),
  );
  if (!problem.ok) return failed(name, problem.error);
  if (problem.value !== undefined)
    return { name, ok: false, detail: `${shown}: ${problem.value}`, hint: FIX };
  const keyShown = `${settings.serverCertDisplayDir}/${settings.host}.key`;
  const keyMode = (await stat(settings.files.key)).mode & 0o777;
  if ((keyMode & 0o077) !== 0) {
    return {
      name,
      ok: false,
      detail: `its key ${keyShown} is open to other users (mode ${keyMode.toString(8).padStart(4, '0')})`,
      hint: `Run chmod 600 ${keyShown}.`,
    };
  }
  const pem = (await readFileIfPresent(`${settings.root}/${shown}`)) ?? '';
  const until = describeCertificate(pem).notAfter;
  return {
    name,
    ok: true,
    detail: `${shown} valid for ${settings.host}, signed by the CA, until ${formatDay(until)}`,
  };
}

/** The CA key's part of the CA line: fine, or what is wrong with it. */
async function caKeyState(
  settings: Readonly<ResolvedRegistrySettings>,
): Promise<{ ok: true; detail: string } | { ok: false; failure: Omit<CheckResult, 'name'> }> {
  const shown = settings.ca.keyDisplayPath;
  const read = await settle(() => readCaKeyIfPresent(settings.ca));
  if (!read.ok) {
    const { name: _name, ...failure } = failed('CA key', read.error);
    return { ok: false, failure };
  }
  if (read.value === undefined) {
    return {
      ok: true,
      detail: `its key ${shown} is not on this machine (needed only to issue certificates)`,
    };
  }
  const mode = await caKeyModeProblem(settings.ca);
  if (mode !== undefined) return { ok: false, failure: { ok: false, detail: mode.problem, hint: mode.fix } };
  if (!isEncryptedPrivateKey(read.value)) {
    return {
      ok: false,
      failure: {
        ok: false,
        detail: `the CA key ${shown} is not encrypted`,
        hint: `Encrypt it: adopt it again with \`${CREATE_CA_COMMAND} --rotate --importCert ${settings.ca.certDisplayPath} --importKey ${shown}\` (HOMEFAAS_CA_PASSPHRASE sets the passphrase).`,
      },
    };
  }
  return { ok: true, detail: `its key ${shown} is encrypted and private` };
}
