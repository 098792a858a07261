import type { Logger } from '@homefaas/core';
import { type Engine, runCommand } from '@homefaas/docker-engine';
import { readUnexpiredCaCertificate, unlockCa } from '../ca/load-ca';
import { formatDay } from '../common/format-day';
import { reportStep, type StepResult } from '../common/step';
import { dockerLoginOptions, ensureDockerLogin, type RunCommand } from './docker-login';
import { ensureDaemonTrust } from './docker-trust';
import { type LookupFunction, resolveRegistryHost } from './host-resolution';
import { resolveRegistryCredentials } from './registry-credentials';
import { ensureFileContent, ensureFolder, ensureHtpasswd, ensureRegistryCertificate } from './registry-files';
import { REGISTRY_UP_COMMAND, registryContainerSpec } from './registry-layout';
import { ensureRegistryServing } from './registry-serving';
import type { ResolvedRegistrySettings } from './registry-settings';

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

  const ca = await readUnexpiredCaCertificate(settings.ca, 'run npx nx run infra:registry-up again');
  const copied = await ensureFileContent(settings.files.caCopy, ca.pem);
  step({
    name: 'CA',
    changed: copied,
    detail: `${settings.ca.certDisplayPath} valid until ${formatDay(ca.info.notAfter)}${copied ? '; copied to infra/registry/ca-certs/' : ''}`,
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
    dir: settings.serverCertDisplayDir,
    ...(settings.certDays === undefined ? {} : { days: settings.certDays }),
    caPem: ca.pem,
    loadCa: async () => unlockCa(settings.ca, ca.pem, await settings.secrets.caPassphrase()),
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
  const spec = registryContainerSpec(settings);
  const recreateHint = `Nothing was changed. Run \`${REGISTRY_UP_COMMAND} --recreate\` to replace it (infra/registry/data/ is kept), or remove it yourself (docker rm -f ${settings.container}).`;
  const container = await deps.engine.ensureRegistryContainer(spec, {
    recreate: settings.recreate,
    // Distribution 2 reads the certificate and htpasswd only when it starts.
    restart: restartBecause.length > 0 ? `to load the ${restartBecause.join(' and ')}` : undefined,
    recreateHint,
  });
  step({ name: 'registry container', ...container });

  step(
    await ensureRegistryServing(settings, {
      engine: deps.engine,
      logger: deps.logger,
      fetch: deps.fetch,
      ca: ca.pem,
      credentials,
      restart: (reason) => deps.engine.ensureRegistryContainer(spec, { restart: reason, recreateHint }),
    }),
  );

  step(
    await ensureDaemonTrust({
      certsDir: settings.daemonCertsDir,
      address: settings.address,
      caPem: ca.pem,
      caDisplayPath: settings.ca.certDisplayPath,
    }),
  );
  step(await ensureDockerLogin({ ...dockerLoginOptions(settings, run), credentials }));
  return results;
}
