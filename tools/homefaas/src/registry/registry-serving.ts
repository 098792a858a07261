import { readFile } from 'node:fs/promises';
import { type ErrorCode, HomefaasError, isHomefaasError, type Logger } from '@homefaas/core';
import type { Engine, EnsureResult } from '@homefaas/docker-engine';
import { createRegistryClient } from '@homefaas/registry-client';
import type { StepResult } from '../common/step';
import type { DockerCredentials } from './docker-login';
import { assertAuthenticated, waitForRegistry } from './registry-readiness';
import type { ResolvedRegistrySettings } from './registry-settings';
import { readServedCertificate, servedCertificateProblem } from './served-certificate';

/** Input of {@link ensureRegistryServing}. */
export interface RegistryServingOptions {
  engine: Engine;
  logger: Logger;
  fetch?: typeof fetch;
  /** The CA certificate (PEM) clients verify the registry with. */
  ca: string;
  credentials: DockerCredentials;
  /** Restarts the registry container, giving the reason. */
  restart: (reason: string) => Promise<EnsureResult>;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
// What an old certificate still served makes the client refuse, before any comparison could run.
const TLS_REFUSALS = new Set<ErrorCode>([
  'ERR_REGISTRY_UNTRUSTED',
  'ERR_REGISTRY_HOSTNAME',
  'ERR_REGISTRY_EXPIRED',
]);

/**
 * The `registry` step: `/v2/` answers over TLS verified with the CA and accepts our credentials, and the
 * certificate it presents is the one in infra/registry/certs. Distribution reads that file only when it
 * starts, so a certificate renewed by another command (`nx g registry --renew`) is served only after a
 * restart: the registry is restarted (once) when it presents another one.
 */
export async function ensureRegistryServing(
  settings: Readonly<ResolvedRegistrySettings>,
  options: RegistryServingOptions,
): Promise<StepResult> {
  const url = `https://${settings.address}`;
  const shown = `${settings.serverCertDisplayDir}/${settings.host}.crt`;
  const certPem = await readFile(settings.files.cert, 'utf8');
  const problem = () => servedProblem(settings, certPem, shown);
  let restarted: EnsureResult | undefined;
  const restartFor = async (why: string) => {
    restarted = await options.restart(`to load ${shown}: ${why}`);
    await waitUntilServing(settings, options, url);
  };
  try {
    await waitUntilServing(settings, options, url);
  } catch (error) {
    // A certificate another CA signed, expired or for other names: refused before it could be compared.
    const why = isHomefaasError(error) && TLS_REFUSALS.has(error.code) ? await problem() : undefined;
    if (why === undefined) throw error;
    await restartFor(why);
  }
  let left = await problem();
  if (left !== undefined && restarted === undefined) {
    await restartFor(left);
    left = await problem();
  }
  if (left !== undefined) {
    throw new HomefaasError(
      'ERR_REGISTRY_CERT_NOT_SERVED',
      `${settings.container} was restarted and still does not serve ${shown}: ${left}.`,
      {
        hint: `See which folder it mounts on /certs (docker inspect -f '{{json .Mounts}}' ${settings.container}) and its log (docker logs ${settings.container}).`,
      },
    );
  }
  const answers = `${url}/v2/ answers, TLS verified with our CA, user ${settings.user} accepted`;
  return restarted
    ? { name: 'registry', changed: true, detail: `${restarted.detail}; ${answers}` }
    : { name: 'registry', changed: false, detail: `${answers}; it serves ${shown}` };
}

/** Why the registry does not present the certificate file (see {@link servedCertificateProblem}). */
export async function servedProblem(
  settings: Readonly<ResolvedRegistrySettings>,
  certPem: string,
  shown: string,
): Promise<string | undefined> {
  const served = await readServedCertificate({
    host: settings.host,
    port: settings.port,
    timeoutMs: HANDSHAKE_TIMEOUT_MS,
  });
  return servedCertificateProblem(served, certPem, shown);
}

/** Waits until `GET /v2/` answers over TLS verified with the CA, and accepts our credentials. */
async function waitUntilServing(
  settings: Readonly<ResolvedRegistrySettings>,
  options: RegistryServingOptions,
  url: string,
): Promise<void> {
  // A client of its own each time: a restart drops the connections an earlier one kept open.
  const client = createRegistryClient({
    baseUrl: url,
    ca: options.ca,
    auth: options.credentials,
    fetch: options.fetch,
  });
  const { engine, logger } = options;
  try {
    const ping = await waitForRegistry({
      client,
      url,
      timeoutMs: settings.answerTimeoutMs,
      logger,
      hint: `See why in its log: docker logs ${settings.container}`,
      giveUpReason: async () => {
        const state = await engine.inspectContainer(settings.container);
        if (state?.running) return undefined;
        const logs = await engine.containerLogs(settings.container, 10).catch(() => '');
        const status = state
          ? `container ${settings.container} is ${state.status} (exit code ${state.exitCode})`
          : `container ${settings.container} is gone`;
        return logs.trim() ? `${status}; its last lines:\n${logs.trimEnd()}` : status;
      },
    });
    assertAuthenticated(ping, url, settings.user);
  } finally {
    await client.close();
  }
}
