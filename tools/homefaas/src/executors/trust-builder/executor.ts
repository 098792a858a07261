import { registryAddress } from '@homefaas/config';
import { HomefaasError, type Logger } from '@homefaas/core';
import { createEngine, type Engine } from '@homefaas/docker-engine';
import type { ExecutorContext } from '@nx/devkit';
import { ensureContainerTrustsCa, findContainer } from '../../builder-trust/builder-container-ca';
import {
  builderTrustProblem,
  DEFAULT_BUILDKITD_CONFIG,
  ensureDefaultBuildkitdConfig,
  readBuilderInstance,
  resolveBuildxConfigDir,
} from '../../builder-trust/builder-trust';
import { resolveCaLocation } from '../../ca/ca-location';
import { readCaCertificate } from '../../ca/load-ca';
import { runExecutor } from '../../common/run-executor';
import { reportStep } from '../../common/step';
import { readWorkspaceConfig } from '../../common/workspace-config';
import type { TrustBuilderExecutorSchema } from './schema';

/** Everything the trust-builder steps read, resolved once. */
export interface ResolvedTrustBuilder {
  builder: string;
  /** Candidate container names, most likely first. */
  containers: string[];
  buildxDir: string;
  registry: string;
  caPem: string;
  dryRun: boolean;
}

/**
 * `nx run infra:trust-builder --builder multiarch`: makes a builder someone else created trust the CA.
 * Durable part: buildx's buildkitd.default.toml, read whenever such a builder is created again. Immediate
 * part: the running container gets the CA in its OS store (lost when the builder is recreated).
 */
export default async function trustBuilderExecutor(
  options: TrustBuilderExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(async (logger) => {
    const resolved = await normalizeOptions(options, context.root, process.env);
    await trustBuilder(resolved, { engine: createEngine({ logger }), logger });
  });
}

/** Options + homefaas.json + environment → the resolved settings. */
export async function normalizeOptions(
  options: TrustBuilderExecutorSchema,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedTrustBuilder> {
  const config = await readWorkspaceConfig(root);
  const { pem: caPem } = await readCaCertificate(resolveCaLocation(root, config.ca));
  const builder = options.builder ?? 'multiarch';
  // Both are named in the commands the hints give: only names Docker and buildx accept get that far.
  assertName(builder, '--builder', 'a buildx builder name, e.g. --builder multiarch');
  if (options.container)
    assertName(
      options.container,
      '--container',
      'a container name, e.g. --container buildx_buildkit_multiarch0',
    );
  return {
    builder,
    containers: options.container ? [options.container] : [],
    buildxDir: resolveBuildxConfigDir(env),
    registry: registryAddress(config),
    caPem,
    dryRun: options.dryRun ?? false,
  };
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function assertName(value: string, option: string, what: string): void {
  if (NAME.test(value)) return;
  throw new HomefaasError('ERR_OPTION_INVALID', `${option} ${JSON.stringify(value)} is not a valid name.`, {
    hint: `Give ${what}: letters, digits, '_', '.' and '-', starting with a letter or digit.`,
  });
}

/** The steps of the executor; see {@link trustBuilderExecutor}. */
export async function trustBuilder(
  resolved: ResolvedTrustBuilder,
  deps: { engine: Engine; logger: Logger },
): Promise<void> {
  const { logger } = deps;
  reportStep(logger, await ensureDefaultBuildkitdConfig(resolved));
  const instance = await readBuilderInstance(resolved.buildxDir, resolved.builder);
  const name = `builder ${resolved.builder}`;
  const problem = instance && builderTrustProblem(instance, resolved.registry, resolved.caPem);
  if (instance && problem === undefined) {
    reportStep(logger, {
      name,
      changed: false,
      detail: 'its stored buildkitd config trusts the CA (survives recreation)',
    });
    return;
  }
  const candidates =
    resolved.containers.length > 0
      ? resolved.containers
      : instance && instance.nodes.length > 0
        ? instance.nodes.map((node) => `buildx_buildkit_${node.name}`)
        : [`buildx_buildkit_${resolved.builder}0`, `buildx_buildkit_${resolved.builder}`];
  const container = await findContainer(deps.engine, candidates);
  if (container === undefined) {
    if (instance === undefined) {
      reportStep(logger, {
        name,
        changed: false,
        detail: `does not exist yet; when it is created without a config, buildx gives it ${DEFAULT_BUILDKITD_CONFIG}, which trusts the CA`,
      });
      return;
    }
    throw new HomefaasError(
      'ERR_BUILDER_NOT_RUNNING',
      `Builder ${resolved.builder} has no container to fix (${candidates.join(', ')} not found), and ${problem}.`,
      {
        hint: `Recreate it so it takes ${DEFAULT_BUILDKITD_CONFIG}: docker buildx rm ${resolved.builder} && docker buildx create --name ${resolved.builder} --driver docker-container. Or start it (docker buildx inspect --bootstrap ${resolved.builder}) and run this again.`,
      },
    );
  }
  reportStep(
    logger,
    await ensureContainerTrustsCa({
      engine: deps.engine,
      container,
      caPem: resolved.caPem,
      dryRun: resolved.dryRun,
      logger,
    }),
  );
  logger.warn(
    `The CA now in ${container} is lost when builder ${resolved.builder} is removed or recreated (docker buildx rm, a new machine, an image update). ` +
      `A recreated builder trusts the CA through ${DEFAULT_BUILDKITD_CONFIG}: docker buildx rm ${resolved.builder} && docker buildx create --name ${resolved.builder} --driver docker-container.`,
  );
}
