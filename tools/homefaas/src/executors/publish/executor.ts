import { createMemoryLogger, type Logger } from '@homefaas/core';
import { createEngine, type Engine, runCommand } from '@homefaas/docker-engine';
import { createGatewayClient, type GatewayClient } from '@homefaas/gateway-client';
import type { ManifestHead, RegistryAuth, RegistryClient } from '@homefaas/registry-client';
import type { ExecutorContext } from '@nx/devkit';
import { ensureBuilderTrust } from '../../lib/builder-trust';
import { ensureDeployed } from '../../lib/deploy-function';
import { readDockerLogin } from '../../lib/docker-login';
import { type FunctionSourceOptions, functionProjectFromContext } from '../../lib/function-project';
import { ensureWorkspaceCa } from '../../lib/publish-ca';
import {
  type ContentImage,
  ensureImage,
  lookUpImage,
  prepareImage,
  workspaceRegistryClient,
} from '../../lib/publish-image';
import { withLock } from '../../lib/publish-lock';
import { normalizeOptions, type ResolvedPublish } from '../../lib/publish-plan';
import { readOptional } from '../../lib/registry-files';
import { ensureRegistryReady } from '../../lib/registry-setup';
import { runExecutor } from '../../lib/run-executor';
import { reportStep, type StepResult } from '../../lib/step';
import type { PublishExecutorSchema } from './schema';

/** Collaborators of {@link publish}; tests may replace the engine or the gateway client. */
export interface PublishDeps {
  logger: Logger;
  engine?: Engine;
  gateway?: (resolved: Readonly<ResolvedPublish>, caPem: string, logger: Logger) => GatewayClient;
}

type Locked = <T>(name: string, body: () => Promise<T>) => Promise<T>;

/**
 * `nx run <fn>:publish`: ensure the CA, the registry and the builder's trust; build and push the image
 * unless the registry has its content tag; deploy it unless the gateway already runs it; confirm it is ready.
 */
export default async function publishExecutor(
  options: PublishExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(async (logger) => {
    const project = functionProjectFromContext(context);
    const buildTarget = context.projectsConfigurations.projects[project.name]?.targets?.build;
    const resolved = await normalizeOptions(options, {
      root: context.root,
      name: project.name,
      projectDir: project.projectDir,
      buildOptions: (buildTarget?.options ?? {}) as FunctionSourceOptions,
      env: process.env,
    });
    await publish(resolved, { logger });
  });
}

/**
 * The steps, in order, each reporting changed or unchanged. Parallel publishes take turns on the shared
 * ensure steps, and two publishes of one function run one after the other.
 */
export async function publish(resolved: Readonly<ResolvedPublish>, deps: PublishDeps): Promise<void> {
  const { logger } = deps;
  if (resolved.dryRun) {
    // A plan only reads, so it takes no lock (and writes no lock file).
    logger.info(`Plan for ${resolved.name} (dry run: nothing is changed)`);
    return publishSteps(resolved, deps, (_, body) => body());
  }
  const locked: Locked = (name, body) => withLock(resolved.root, name, body, { logger });
  await locked(`publish-${resolved.name}`, () => publishSteps(resolved, deps, locked));
}

async function publishSteps(
  resolved: Readonly<ResolvedPublish>,
  deps: PublishDeps,
  locked: Locked,
): Promise<void> {
  const { logger } = deps;
  const gateway = (ca: string) => (deps.gateway ?? defaultGateway)(resolved, ca, logger);
  const earlyCa = await readOptional(resolved.registry.ca.certPath);
  // Asking the gateway what it runs (read-only) goes on while the registry and the image are looked at. It
  // needs the CA to trust the gateway, so it starts early only when the CA already exists.
  const early = earlyCa === undefined || resolved.skipDeploy ? undefined : gateway(earlyCa);
  const current = early?.getFunction(resolved.name, resolved.fn.namespace);
  // Settled later by ensureDeployed; a failure before that must not surface as an unhandled rejection.
  current?.catch(() => {});

  const quick =
    earlyCa === undefined || resolved.dryRun
      ? undefined
      : await withoutRegistrySetup(resolved, earlyCa, deps, locked);
  let caPem = earlyCa ?? '';
  let content: ContentImage;
  let client: RegistryClient | undefined;
  let heads: Array<ManifestHead | undefined> | undefined;
  if (quick) {
    ({ content, client, heads } = quick);
  } else {
    caPem = await locked('ensure', () => ensureShared(resolved, deps));
    content = await prepareImage(resolved, logger);
    reportStep(logger, content.build);
    client = resolved.inWorkspaceRegistry
      ? workspaceRegistryClient(resolved, caPem, await registryAuth(resolved))
      : undefined;
  }
  let image: Awaited<ReturnType<typeof ensureImage>>;
  try {
    image = await ensureImage(resolved, content, {
      logger,
      ...(client ? { client } : {}),
      ...(heads ? { heads } : {}),
    });
  } finally {
    await client?.close();
  }
  if (resolved.skipDeploy) {
    reportStep(logger, { name: 'deploy', changed: false, detail: 'skipped (--skipDeploy)' });
    return;
  }
  if (early && current && earlyCa === caPem) {
    await ensureDeployed(resolved, image, { client: early, logger, current });
  } else {
    await ensureDeployed(resolved, image, { client: gateway(caPem), logger });
  }
}

/**
 * The path of a run with nothing to push: when the CA is valid, the registry certificate not due, and the
 * registry answers over TLS with our CA, accepts our user and already has the content tag, the registry
 * setup steps (which matter for pushing) are not run again. Anything else returns `undefined` and the full
 * ensure steps run. Prints nothing until it succeeds.
 */
async function withoutRegistrySetup(
  resolved: Readonly<ResolvedPublish>,
  caPem: string,
  deps: PublishDeps,
  locked: Locked,
): Promise<
  { content: ContentImage; client: RegistryClient; heads: Array<ManifestHead | undefined> } | undefined
> {
  if (!resolved.inWorkspaceRegistry) return undefined;
  const held = createMemoryLogger();
  const ca = await ensureWorkspaceCa(resolved.registry, { logger: held });
  if (ca.renewalDue) return undefined;
  const content = await prepareImage(resolved, deps.logger);
  if (content.tag === undefined) return undefined;
  const client = workspaceRegistryClient(resolved, caPem, await registryAuth(resolved));
  const heads = await lookUpImage(client, resolved, content).catch(() => undefined);
  if (!heads?.[0]) {
    await client.close();
    return undefined;
  }
  const { logger } = deps;
  for (const line of held.lines) logger.warn(line.replace(/^warn: /, ''));
  reportStep(logger, ca);
  const settings = resolved.registry;
  reportStep(logger, {
    name: 'registry',
    changed: false,
    detail: `https://${settings.address}/v2/ answers over TLS with our CA, accepts user ${settings.user} and has ${content.ref}: nothing to push, so its setup is not re-checked (npx nx run infra:doctor checks it)`,
  });
  for (const step of await locked('ensure', () => builderTrust(resolved, caPem, deps.logger)))
    reportStep(logger, step);
  reportStep(logger, content.build);
  return { content, client, heads };
}

/** CA → registry → builder trust; returns the CA certificate for the clients that follow. */
async function ensureShared(resolved: Readonly<ResolvedPublish>, deps: PublishDeps): Promise<string> {
  const { logger } = deps;
  const settings = resolved.registry;
  reportStep(logger, await ensureWorkspaceCa(settings, { dryRun: resolved.dryRun, logger }));
  const caPem = (await readOptional(settings.ca.certPath)) ?? '';
  if (resolved.dryRun) {
    reportStep(logger, {
      name: 'registry',
      changed: false,
      detail: `would ensure ${settings.address} (certificate, htpasswd, container ${settings.container}, daemon trust, login); see its state with npx nx run infra:doctor`,
    });
  } else {
    await ensureRegistryReady(settings, { engine: deps.engine ?? createEngine({ logger }), logger });
  }
  for (const step of await builderTrust(resolved, caPem, logger)) reportStep(logger, step);
  return caPem;
}

function builderTrust(
  resolved: Readonly<ResolvedPublish>,
  caPem: string,
  logger: Logger,
): Promise<StepResult[]> {
  const settings = resolved.registry;
  return ensureBuilderTrust({
    root: resolved.root,
    ...resolved.builder,
    registry: settings.address,
    caPath: settings.ca.certDisplayPath,
    caPem,
    certsDir: settings.certsDir,
    env: settings.commandEnv,
    dryRun: resolved.dryRun,
    logger,
  });
}

/** The registry user's password: REGISTRY_PASSWORD (or its file), else what Docker is logged in with. */
async function registryAuth(resolved: Readonly<ResolvedPublish>): Promise<RegistryAuth | undefined> {
  const settings = resolved.registry;
  const password = await settings.secrets.registryPassword();
  if (password !== undefined) return { username: settings.user, password };
  return readDockerLogin({
    configDir: settings.dockerConfigDir,
    address: settings.address,
    env: settings.commandEnv,
    run: runCommand,
  });
}

function defaultGateway(resolved: Readonly<ResolvedPublish>, caPem: string, logger: Logger): GatewayClient {
  return createGatewayClient({
    url: resolved.gateway.url,
    logger,
    ...(resolved.gateway.auth ? { auth: resolved.gateway.auth } : {}),
    ...(caPem ? { ca: caPem } : {}),
  });
}
