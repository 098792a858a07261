import { formatCommand } from '@homefaas/docker-engine';
import { CREATE_CA_COMMAND } from '../../ca/ca-location';
import type { DockerCredentials } from '../../registry/docker-login';
import type { DaemonTrustState } from '../../registry/docker-trust';
import type { ResolvedRegistrySettings } from '../../registry/registry-settings';
import { type CheckResult, FIX, failed, type Settled } from './check-result';

/** certs.d holds our CA for this registry (or the exact sudo command that puts it there). */
export function trustCheck(
  settings: Readonly<ResolvedRegistrySettings>,
  trust: { ok: boolean; state: DaemonTrustState; detail: string } | undefined,
): CheckResult {
  const name = 'daemon trusts the CA';
  if (trust === undefined) {
    return {
      name,
      ok: false,
      detail: 'no CA to compare with',
      hint: `Create one with \`${CREATE_CA_COMMAND}\`.`,
    };
  }
  if (trust.ok) return { name, ok: true, detail: trust.detail };
  const file = `${settings.daemonCertsDir}/${settings.address}/ca.crt`;
  const install = formatCommand('sudo', ['install', '-D', '-m', '0644', settings.ca.certDisplayPath, file]);
  return { name, ok: false, detail: trust.detail, hint: `${FIX} (or: ${install})` };
}

/** Docker has a login for the registry, as the configured user (with REGISTRY_PASSWORD, when it is set). */
export function loginCheck(
  settings: Readonly<ResolvedRegistrySettings>,
  login: Settled<DockerCredentials | undefined>,
  password: string | undefined,
): CheckResult {
  const name = 'logged in';
  if (!login.ok) return failed(name, login.error);
  const stored = login.value;
  if (!stored) return { name, ok: false, detail: `Docker has no login for ${settings.address}`, hint: FIX };
  if (stored.username !== settings.user) {
    return {
      name,
      ok: false,
      detail: `Docker is logged in to ${settings.address} as ${stored.username}, not ${settings.user}`,
      hint: FIX,
    };
  }
  if (password !== undefined && stored.password !== password) {
    return {
      name,
      ok: false,
      detail: `Docker's login for ${settings.address} has another password than REGISTRY_PASSWORD`,
      hint: FIX,
    };
  }
  return { name, ok: true, detail: `Docker is logged in to ${settings.address} as ${stored.username}` };
}
