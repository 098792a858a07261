import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import type { Engine } from '@homefaas/docker-engine';
import type { StepResult } from '../common/step';
import { normalizePem } from './buildkitd-config';

/** Where the CA goes inside the builder container (Debian's and Alpine's local CA folder). */
export const CONTAINER_CA_FILE = '/usr/local/share/ca-certificates/homefaas-ca.crt';
/** The bundle `update-ca-certificates` writes and Go's TLS reads inside the container. */
export const CONTAINER_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Input of {@link ensureContainerTrustsCa}. */
export interface ContainerTrustOptions {
  engine: Engine;
  /** Container name, e.g. `buildx_buildkit_multiarch0`. */
  container: string;
  caPem: string;
  dryRun?: boolean;
  logger?: Logger;
}

/**
 * Makes a running BuildKit container trust the CA the way people do it by hand: copy it into the OS store,
 * run `update-ca-certificates`, restart (Go reads the store once at start), then check the bundle. It lasts
 * across restarts but not across `docker buildx rm` or recreation: callers say so.
 */
export async function ensureContainerTrustsCa(options: ContainerTrustOptions): Promise<StepResult> {
  const { engine, container } = options;
  const logger = options.logger ?? SILENT_LOGGER;
  const name = `container ${container}`;
  const state = await engine.inspectContainer(container);
  if (state === undefined) {
    throw new HomefaasError('ERR_BUILDER_CONTAINER_MISSING', `There is no container named ${container}.`, {
      hint: 'Start the builder once (docker buildx inspect --bootstrap <builder>), or name its container with --container.',
    });
  }
  if (!state.running) {
    if (options.dryRun) return { name, changed: true, detail: 'stopped; would start it and install the CA' };
    logger.progress(`starting ${container}`);
    await engine.startContainer(container);
  }
  if (await bundleHasCa(engine, container, options.caPem)) {
    return { name, changed: false, detail: `${CONTAINER_CA_BUNDLE} already holds the CA` };
  }
  if (options.dryRun) return { name, changed: true, detail: 'would install the CA and restart it' };
  await engine.copyFileToContainer(container, CONTAINER_CA_FILE, options.caPem);
  const update = await engine.execInContainer(container, ['update-ca-certificates']);
  if (update.exitCode !== 0) {
    throw new HomefaasError(
      'ERR_BUILDER_CA_UPDATE',
      `update-ca-certificates failed in ${container} (exit ${update.exitCode}): ${update.output.trim()}`,
      {
        hint: 'The builder image lacks the ca-certificates tools: recreate the builder with a buildkitd config instead (npx nx run <fn>:publish with builder.driver docker-container).',
      },
    );
  }
  logger.progress(`restarting ${container}`);
  await engine.restartContainer(container);
  if (!(await bundleHasCa(engine, container, options.caPem))) {
    throw new HomefaasError(
      'ERR_BUILDER_CA_VERIFY',
      `${CONTAINER_CA_BUNDLE} in ${container} still lacks the CA.`,
      {
        hint: 'Recreate the builder with a buildkitd config that names the CA (docker buildx create --buildkitd-config).',
      },
    );
  }
  return {
    name,
    changed: true,
    detail: `installed the CA into ${CONTAINER_CA_FILE}, updated the store, restarted`,
  };
}

/** The first of `names` that exists as a container; `undefined` when none does. */
export async function findContainer(engine: Engine, names: readonly string[]): Promise<string | undefined> {
  for (const candidate of names) {
    if ((await engine.inspectContainer(candidate)) !== undefined) return candidate;
  }
  return undefined;
}

async function bundleHasCa(engine: Engine, container: string, caPem: string): Promise<boolean> {
  const bundle = await engine.readContainerFile(container, CONTAINER_CA_BUNDLE);
  if (bundle === undefined) return false;
  return normalizePem(bundle).includes(pemBody(caPem));
}

/** The base64 body of a PEM certificate, one line, to find it in a bundle however the bundle wraps lines. */
function pemBody(pem: string): string {
  return normalizePem(pem)
    .split('\n')
    .filter((line) => !line.startsWith('-----'))
    .join('\n');
}
