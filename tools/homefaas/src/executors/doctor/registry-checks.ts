import { connect } from 'node:net';
import { errorMessage, isHomefaasError } from '@homefaas/core';
import type { Engine } from '@homefaas/docker-engine';
import { createRegistryClient, type PingResult } from '@homefaas/registry-client';
import { readOptional } from '../../common/read-optional';
import type { DockerCredentials } from '../../registry/docker-login';
import { REGISTRY_UP_COMMAND } from '../../registry/registry-layout';
import { servedProblem } from '../../registry/registry-serving';
import type { ResolvedRegistrySettings } from '../../registry/registry-settings';
import { type CheckResult, FIX, failed } from './check-result';

/** TLS and auth from one `GET /v2/`: a TLS failure means auth was never tried. */
export async function registryChecks(
  settings: Readonly<ResolvedRegistrySettings>,
  caPem: string | undefined,
  credentials: DockerCredentials | undefined,
  reachable: boolean,
  fetchImpl: typeof fetch | undefined,
  timeoutMs: number,
): Promise<[tls: CheckResult, auth: CheckResult]> {
  const tls = 'TLS verified';
  const auth = 'auth accepted';
  if (!reachable || caPem === undefined) {
    const why = caPem === undefined ? 'no CA' : 'registry not reachable';
    return [
      { name: tls, ok: false, detail: `not checked: ${why}`, hint: FIX },
      { name: auth, ok: false, detail: `not checked: ${why}`, hint: FIX },
    ];
  }
  const url = `https://${settings.address}`;
  const client = createRegistryClient({
    baseUrl: url,
    ca: caPem,
    auth: credentials,
    fetch: fetchImpl,
    timeoutMs,
  });
  let ping: PingResult;
  try {
    ping = await client.ping();
  } catch (error) {
    if (isHomefaasError(error, 'ERR_REGISTRY_AUTH')) {
      return [
        { name: tls, ok: true, detail: `${url} presents a certificate our CA signed for ${settings.host}` },
        {
          ...failed(auth, error),
          hint: `Check REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE); ${FIX} sets that password in the htpasswd file.`,
        },
      ];
    }
    return [failed(tls, error), { name: auth, ok: false, detail: 'not checked: TLS failed', hint: FIX }];
  } finally {
    await client.close();
  }
  const tlsOk: CheckResult = {
    name: tls,
    ok: true,
    detail: `${url} presents a certificate our CA signed for ${settings.host}`,
  };
  if (!ping.authRequired) {
    return [
      tlsOk,
      {
        name: auth,
        ok: false,
        detail: `${url}/v2/ does not ask for credentials`,
        hint: `${REGISTRY_UP_COMMAND} --recreate`,
      },
    ];
  }
  if (!credentials) {
    return [
      tlsOk,
      {
        name: auth,
        ok: false,
        detail: `no password to check for user ${settings.user}`,
        hint: `Set REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE), or ${REGISTRY_UP_COMMAND} to log Docker in.`,
      },
    ];
  }
  return [tlsOk, { name: auth, ok: true, detail: `user ${credentials.username} accepted` }];
}

/**
 * The registry presents the certificate in infra/registry/certs: it reads the file only when it starts, so a
 * renewed one is not served until a restart (which registry-up does).
 */
export async function servedCertificateCheck(
  settings: Readonly<ResolvedRegistrySettings>,
  reachable: boolean,
): Promise<CheckResult> {
  const name = 'certificate served';
  const shown = `${settings.serverCertDisplayDir}/${settings.host}.crt`;
  if (!reachable) return { name, ok: false, detail: 'not checked: registry not reachable', hint: FIX };
  const certPem = await readOptional(settings.files.cert);
  if (certPem === undefined) return { name, ok: false, detail: `not checked: no ${shown}`, hint: FIX };
  try {
    const problem = await servedProblem(settings, certPem, shown);
    if (problem === undefined) return { name, ok: true, detail: `${settings.address} presents ${shown}` };
    return {
      name,
      ok: false,
      detail: `${settings.address}: ${problem}`,
      hint: `Run ${REGISTRY_UP_COMMAND}: it restarts ${settings.container} so that it loads ${shown}.`,
    };
  } catch (error) {
    return { ...failed(name, error), hint: FIX };
  }
}

/** The registry did not accept a connection: says what state its container is in. */
export async function unreachable(
  settings: Readonly<ResolvedRegistrySettings>,
  error: unknown,
  engine: () => Engine,
): Promise<CheckResult> {
  const base = failed('registry reachable', error);
  let container: string;
  try {
    const state = await engine().inspectContainer(settings.container);
    container = state
      ? `container ${settings.container} is ${state.status}`
      : `no container ${settings.container}`;
  } catch (engineError) {
    container = `Docker: ${errorMessage(engineError)}`;
  }
  return { ...base, detail: `${base.detail} (${container})`, hint: FIX };
}

/** Opens and closes a TCP connection: tells "nothing listens" apart from TLS or HTTP trouble. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(`${host}:${port}: ${error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}`),
      );
    });
  });
}
