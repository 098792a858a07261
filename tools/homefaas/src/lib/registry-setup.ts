import type { Logger } from '@homefaas/core';
import { type Engine, runCommand } from '@homefaas/docker-engine';
import { createRegistryClient } from '@homefaas/registry-client';
import { ensureDockerLogin, type RunCommand } from './docker-login';
import { ensureDaemonTrust } from './docker-trust';
import { type LookupFunction, resolveRegistryHost } from './host-resolution';
import { resolveRegistryCredentials } from './registry-credentials';
import { ensureFileContent, ensureFolder, ensureHtpasswd, ensureRegistryCertificate } from './registry-files';
import { REGISTRY_UP_COMMAND, registryContainerSpec } from './registry-layout';
import { assertAuthenticated, waitForRegistry } from './registry-readiness';
import type { ResolvedRegistrySettings } from './registry-settings';
import { reportStep, type StepResult } from './step';
import { loadWorkspaceCa, readWorkspaceCaCertificate } from './workspace-ca';

/** Collaborators of {@link ensureRegistryReady}. */
export interface RegistrySetupDeps {
  engine: Engine;
  logger: Logger;
  run?: RunCommand;
  lookup?: LookupFunction;
  /** fetch for the registry client (undici's by default). */
  fetch?: typeof fetch;
}

export { REGISTRY_UP_COMMAND } from './registry-layout';

/**
 * Converges everything a push needs, one reported step each: CA present, host resolves, registry
 * certificate, htpasswd, container, registry answering over TLS with our credentials, daemon trust, docker
 * login. Idempotent; the CA key is decrypted only when a certificate must be issued.
 */
export async function ensureRegistryReady(
  settings: Readonly<ResolvedRegistrySettings>,
  deps: RegistrySetupDeps,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const step = (result: StepResult) => results.push(reportStep(deps.logger, result));
  const run = deps.run ?? runCommand;

  const ca = await readWorkspaceCaCertificate(settings);
  const copied = await ensureFileContent(settings.files.caCopy, ca.pem);
  step({
    name: 'CA',
    changed: copied,
    detail: `${settings.ca.certDisplayPath} valid until ${day(ca.notAfter)}${copied ? '; copied to infra/registry/ca-certs/' : ''}`,
  });

  const address = await resolveRegistryHost(settings.host, {
    lookup: deps.lookup,
    suggestedAddress: settings.ips[0],
  });
  step({ name: 'registry host', changed: false, detail: `${settings.host} resolves to ${address}` });

  const certificate = await ensureRegistryCertificate({
    root: settings.root,
    host: settings.host,
    ips: settings.ips,
    dir: settings.certDir,
    days: settings.certDays,
    caPem: ca.pem,
    loadCa: async () => loadWorkspaceCa(settings, ca.pem, await settings.secrets.caPassphrase()),
  });
  step(certificate);

  const credentials = await resolveRegistryCredentials(settings, run);
  const htpasswd = await ensureHtpasswd({
    file: settings.files.htpasswd,
    root: settings.root,
    ...credentials,
    user: credentials.username,
    changePassword: settings.changePassword,
  });
  step(htpasswd);

  await ensureFolder(settings.files.data);
  await deps.engine.ping();
  const restartBecause = [
    certificate.changed && 'new certificate',
    htpasswd.changed && 'new password',
  ].filter(Boolean);
  const container = await deps.engine.ensureRegistryContainer(registryContainerSpec(settings), {
    recreate: settings.recreate,
    // Distribution 2 reads the certificate and htpasswd only when it starts.
    restart: restartBecause.length > 0 ? `to load the ${restartBecause.join(' and ')}` : undefined,
    recreateHint: `Nothing was changed. Run \`${REGISTRY_UP_COMMAND} --recreate\` to replace it (infra/registry/data/ is kept), or remove it yourself (docker rm -f ${settings.container}).`,
  });
  step({ name: 'registry container', ...container });

  const url = `https://${settings.address}`;
  const client = createRegistryClient({ baseUrl: url, ca: ca.pem, auth: credentials, fetch: deps.fetch });
  try {
    const ping = await waitForRegistry({
      client,
      url,
      timeoutMs: settings.readyTimeoutMs,
      logger: deps.logger,
      hint: `See why in its log: docker logs ${settings.container}`,
      giveUpReason: async () => {
        const state = await deps.engine.inspectContainer(settings.container);
        if (state?.running) return undefined;
        const logs = await deps.engine.containerLogs(settings.container, 10).catch(() => '');
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
  step({
    name: 'registry',
    changed: false,
    detail: `${url}/v2/ answers, TLS verified with our CA, user ${settings.user} accepted`,
  });

  step(
    await ensureDaemonTrust({
      certsDir: settings.certsDir,
      address: settings.address,
      caPem: ca.pem,
      caDisplayPath: settings.ca.certDisplayPath,
    }),
  );
  step(
    await ensureDockerLogin({
      configDir: settings.dockerConfigDir,
      address: settings.address,
      env: settings.commandEnv,
      run,
      credentials,
    }),
  );
  return results;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
