import type { Engine } from '@homefaas/docker-engine';
import { runCommand } from '@homefaas/docker-engine';
import {
  type DockerCredentials,
  dockerLoginOptions,
  type RunCommand,
  readDockerLogin,
} from '../../registry/docker-login';
import { checkDaemonTrust } from '../../registry/docker-trust';
import { type LookupFunction, resolveRegistryHost } from '../../registry/host-resolution';
import type { ResolvedRegistrySettings } from '../../registry/registry-settings';
import { type CheckResult, failed, settle } from './check-result';
import { loginCheck, trustCheck } from './docker-checks';
import { caCheck, certificateCheck, readCaState } from './file-checks';
import { registryChecks, servedCertificateCheck, tcpConnect, unreachable } from './registry-checks';

export type { CheckResult } from './check-result';

/** Collaborators of {@link runDoctorChecks}. */
export interface DoctorDeps {
  /** Asked only to explain an unreachable registry (is its container running?). */
  engine: () => Engine;
  run?: RunCommand;
  lookup?: LookupFunction;
  fetch?: typeof fetch;
  now?: Date;
  /** Limit for connecting to the registry, in milliseconds. */
  timeoutMs?: number;
}

/**
 * Every check of `infra:doctor`, in report order. Read-only: nothing is written, started or logged in.
 * Independent checks run at the same time.
 */
export async function runDoctorChecks(
  settings: Readonly<ResolvedRegistrySettings>,
  deps: DoctorDeps,
): Promise<CheckResult[]> {
  const now = deps.now ?? new Date();
  const timeoutMs = deps.timeoutMs ?? 5000;
  const caState = await readCaState(settings);
  const caPem = caState.ok ? caState.value : undefined;
  const loginOptions = dockerLoginOptions(settings, deps.run ?? runCommand);
  const [resolution, reachability, trust, login, password] = await Promise.all([
    settle(() =>
      resolveRegistryHost(settings.host, { lookup: deps.lookup, suggestedAddress: settings.ips[0] }),
    ),
    settle(() => tcpConnect(settings.host, settings.port, timeoutMs)),
    caPem === undefined
      ? undefined
      : checkDaemonTrust({
          certsDir: settings.daemonCertsDir,
          address: settings.address,
          caPem,
          caDisplayPath: settings.ca.certDisplayPath,
        }),
    settle(() => readDockerLogin(loginOptions)),
    settings.secrets.registryPassword(),
  ]);
  const stored = login.ok ? login.value : undefined;
  // What to try the registry with: REGISTRY_PASSWORD, else what Docker is logged in with.
  const credentials: DockerCredentials | undefined =
    password !== undefined
      ? { username: settings.user, password }
      : stored?.username === settings.user
        ? stored
        : undefined;

  const [tls, auth] = await registryChecks(
    settings,
    caPem,
    credentials,
    reachability.ok,
    deps.fetch,
    timeoutMs,
  );
  return [
    await caCheck(settings, caState, now),
    await certificateCheck(settings, caPem, now),
    resolution.ok
      ? { name: 'name resolves', ok: true, detail: `${settings.host} → ${resolution.value}` }
      : failed('name resolves', resolution.error),
    reachability.ok
      ? { name: 'registry reachable', ok: true, detail: `${settings.address} accepts connections` }
      : await unreachable(settings, reachability.error, deps.engine),
    tls,
    await servedCertificateCheck(settings, reachability.ok),
    auth,
    trustCheck(settings, trust),
    loginCheck(settings, login, password),
  ];
}
