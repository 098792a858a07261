import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type ResolvedFunction, registryAddress } from '@homefaas/config';
import { HomefaasError, splitList } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { resolveBuildxConfigDir } from '../builder-trust/builder-trust';
import { readWorkspaceConfig } from '../common/workspace-config';
import { type ResolvedGateway, resolveGatewaySettings } from '../deploy/gateway-settings';
import type { ResolvedFunctionBundle } from '../function/function-bundle';
import {
  DEFAULT_LANG,
  type FunctionSourceOptions,
  resolveFunctionBundle,
  stackReader,
} from '../function/function-project';
import { knownTemplates, resolveTemplateDir } from '../function/function-template';
import { assertTag, type ImageName, parseImageName } from '../image/image-name';
import { type ResolvedRegistrySettings, resolveRegistrySettings } from '../registry/registry-settings';
import { DEFAULT_REPLICA_READY_TIMEOUT_SECONDS, type PublishOptions } from './options';

/** Local, git-ignored folder with one file per secret named in stack.yml (`infra/secrets/<name>`). */
export const SECRETS_DIR = 'infra/secrets';
/** The environment variable that makes this machine a runner (see {@link PublishOptions.runner}). */
export const RUNNER_ENV = 'HOMEFAAS_RUNNER';
/**
 * Overrides homefaas.json's `builder.driver` on one machine: a CI runner whose Docker has no containerd image
 * store (so the `docker` driver cannot build several platforms) sets `docker-container`.
 */
export const BUILDER_DRIVER_ENV = 'HOMEFAAS_BUILDER_DRIVER';

/** One Nx task of the batch: the function (= project) it publishes and its options. */
export interface PublishTask {
  /** Nx task id, e.g. `hello-world:publish`. */
  id: string;
  /** The function's name, which is its Nx project's name. */
  name: string;
  /** Absolute folder of the project. */
  projectDir: string;
  options: PublishOptions;
  /** Options of the project's `build` target (handler, lang, external), which the bundle follows. */
  buildOptions: FunctionSourceOptions;
}

/** One function of a run, every value resolved. */
export interface ResolvedFunctionPublish {
  name: string;
  taskId: string;
  fn: ResolvedFunction;
  /** stack.yml's image. */
  image: ImageName;
  /** The image is in the workspace registry: it can be looked up, and a gateway needs credentials to pull it. */
  inWorkspaceRegistry: boolean;
  /** Where the build context is (written by publish unless `prebuilt`). */
  contextDir: string;
  /** How to bundle the function; `undefined` when `--contextPath` names a build context made elsewhere. */
  bundle?: ResolvedFunctionBundle;
  /** `--platforms`, replacing stack.yml's. */
  platforms?: string[];
  /** Tags the image gets besides its content tag: stack.yml's, the git short sha, then `--tags`. */
  extraTags: string[];
  readyTimeoutMs: number;
}

/** How a run was chosen to be a runner, or not. */
export interface RunnerMode {
  runner: boolean;
  /** Why, for the report. */
  reason: string;
}

/** Everything a publish run needs, resolved once; no step reads options, files or the environment itself. */
export interface ResolvedRun {
  root: string;
  dryRun: boolean;
  skipDeploy: boolean;
  mode: RunnerMode;
  registry: Readonly<ResolvedRegistrySettings>;
  builder: { driver: 'docker' | 'docker-container'; name: string; buildxDir: string };
  gateway: ResolvedGateway;
  secretsDir: string;
  /** Where publish keeps what it sent to the gateway (secret fingerprints), git-ignored. */
  stateDir: string;
  homeDir: string;
  env: NodeJS.ProcessEnv;
  git: GitState;
  readyIntervalMs: number;
  functions: ResolvedFunctionPublish[];
  /** Tasks whose function could not be resolved (not in stack.yml, a bad option): they fail alone. */
  rejected: Array<{ task: PublishTask; error: unknown }>;
}

/** The commit the workspace is at, and whether files differ from it. */
export interface GitState {
  sha?: string;
  /** Tracked files are changed, or untracked files are present: the sha does not describe the sources. */
  dirty: boolean;
}

/** Options that concern the run as a whole: tasks that differ in them run as separate runs. */
export function runKey(options: PublishOptions): string {
  const { dryRun, skipDeploy, gateway, registryTimeout, runner } = options;
  return JSON.stringify([dryRun ?? false, skipDeploy ?? false, gateway ?? '', registryTimeout ?? 0, runner]);
}

/**
 * Tasks + homefaas.json + stack.yml + environment → {@link ResolvedRun}. Every task must share the run-level
 * options ({@link runKey}); the first task's are used. The gateway comes from `--gateway` > stack.yml
 * `provider.gateway` > `OPENFAAS_URL` > homefaas.json; its credentials from OPENFAAS_USERNAME /
 * OPENFAAS_PASSWORD(_FILE), else faas-cli's config.
 */
export async function resolveRun(
  root: string,
  tasks: readonly PublishTask[],
  env: NodeJS.ProcessEnv,
): Promise<Readonly<ResolvedRun>> {
  const first = tasks[0]?.options ?? {};
  const home = env.HOME || homedir();
  const config = await readWorkspaceConfig(root);
  const registry = resolveRegistrySettings(
    first.registryTimeout === undefined ? {} : { timeout: first.registryTimeout },
    { root, config, env, interactive: true },
  );
  const readFunction = stackReader(root, env);
  const git = await readGitState(root, env);
  const functions: ResolvedFunctionPublish[] = [];
  const rejected: ResolvedRun['rejected'] = [];
  for (const task of tasks) {
    try {
      functions.push(
        resolveFunctionPublish(root, task, readFunction(task.name), registryAddress(config), git),
      );
    } catch (error) {
      rejected.push({ task, error });
    }
  }
  const gateways = new Set(functions.map((f) => f.fn.gateway ?? ''));
  return Object.freeze({
    root,
    dryRun: first.dryRun ?? false,
    skipDeploy: first.skipDeploy ?? false,
    mode: resolveRunnerMode(first, env, registry),
    registry,
    builder: {
      ...config.builder,
      driver: builderDriver(config.builder.driver, env),
      buildxDir: resolveBuildxConfigDir(env, home),
    },
    gateway: await resolveGatewaySettings({
      option: first.gateway,
      // stack.yml has one provider for every function.
      stackGateway: [...gateways][0] || undefined,
      configGateway: config.gateway?.url,
      env,
      home,
    }),
    secretsDir: join(root, SECRETS_DIR),
    stateDir: join(root, '.homefaas', 'state'),
    homeDir: home,
    env: registry.commandEnv,
    git,
    readyIntervalMs: 1000,
    functions,
    rejected,
  });
}

function resolveFunctionPublish(
  root: string,
  task: PublishTask,
  fn: ResolvedFunction,
  workspaceRegistry: string,
  git: GitState,
): ResolvedFunctionPublish {
  const { options } = task;
  const image = parseImageName(fn.image);
  const readyTimeout = options.readyTimeout ?? DEFAULT_REPLICA_READY_TIMEOUT_SECONDS;
  if (!(readyTimeout > 0)) {
    throw new HomefaasError(
      'ERR_OPTION_INVALID',
      `readyTimeout ${readyTimeout} is not a positive number of seconds.`,
    );
  }
  const shaTag = git.sha && !git.dirty ? [git.sha] : [];
  const extraTags = [...new Set([image.tag, ...shaTag, ...splitList(options.tags)])];
  for (const tag of extraTags) assertTag(tag);
  const platforms = splitList(options.platforms);
  const project = { name: task.name, workspaceRoot: root, projectDir: task.projectDir };
  const lang = fn.lang ?? task.buildOptions.lang ?? DEFAULT_LANG;
  assertHandler(root, fn);
  if (options.contextPath === undefined) assertTemplate(root, fn.name, lang);
  return {
    name: task.name,
    taskId: task.id,
    fn,
    image,
    inWorkspaceRegistry: image.registry === workspaceRegistry,
    contextDir: absolute(root, options.contextPath ?? join('dist', 'functions', task.name)),
    ...(options.contextPath === undefined
      ? { bundle: resolveFunctionBundle(project, task.buildOptions) }
      : {}),
    ...(platforms.length > 0 ? { platforms } : {}),
    extraTags,
    readyTimeoutMs: Math.round(readyTimeout * 1000),
  };
}

/** stack.yml's `handler` names a folder that exists (faas-cli builds from it). */
function assertHandler(root: string, fn: ResolvedFunction): void {
  if (fn.handler === undefined || existsSync(resolve(root, fn.handler))) return;
  throw new HomefaasError(
    'ERR_STACK_HANDLER',
    `stack.yml gives ${fn.name} the handler ${fn.handler}, which does not exist.`,
    {
      hint: `Point handler at the function's folder (./functions/${fn.name}), or create the function with \`npx nx g new-function ${fn.name}\`.`,
    },
  );
}

/** The function's `lang` names a template with a Dockerfile: the workspace's `template/<lang>`, or the plugin's. */
function assertTemplate(root: string, name: string, lang: string): void {
  if (existsSync(join(resolveTemplateDir(root, lang), 'Dockerfile'))) return;
  const known = knownTemplates(root);
  throw new HomefaasError(
    'ERR_STACK_LANG',
    `stack.yml gives ${name} the lang ${lang}, but there is no template/${lang}.`,
    {
      hint:
        known.length > 0
          ? `Use one of: ${known.join(', ')}.`
          : 'Add the template under template/, or fix the lang.',
    },
  );
}

/**
 * A runner when asked (`--runner`, HOMEFAAS_RUNNER=1), or when this checkout has the CA certificate but not
 * its key: such a machine cannot issue certificates, so it must not manage the registry either.
 */
export function resolveRunnerMode(
  options: PublishOptions,
  env: NodeJS.ProcessEnv,
  registry: Pick<ResolvedRegistrySettings, 'ca'>,
): RunnerMode {
  if (options.runner !== undefined) {
    return { runner: options.runner, reason: `--runner=${options.runner}` };
  }
  const fromEnv = env[RUNNER_ENV]?.trim().toLowerCase();
  if (fromEnv && fromEnv !== '0' && fromEnv !== 'false')
    return { runner: true, reason: `${RUNNER_ENV}=${fromEnv}` };
  if (existsSync(registry.ca.certPath) && !existsSync(registry.ca.keyPath)) {
    return {
      runner: true,
      reason: `${registry.ca.certDisplayPath} is here but its key ${registry.ca.keyDisplayPath} is not`,
    };
  }
  return { runner: false, reason: 'this machine owns the CA and the registry' };
}

function builderDriver(configured: 'docker' | 'docker-container', env: NodeJS.ProcessEnv) {
  const value = env[BUILDER_DRIVER_ENV];
  if (value === undefined || value === '') return configured;
  if (value === 'docker' || value === 'docker-container') return value;
  throw new HomefaasError(
    'ERR_OPTION_INVALID',
    `${BUILDER_DRIVER_ENV}=${value} is not a buildx driver homefaas uses.`,
    {
      hint: `Set ${BUILDER_DRIVER_ENV} to docker or docker-container, or unset it to use homefaas.json's builder.driver.`,
    },
  );
}

/** The short sha of HEAD and whether the work tree differs from it; nothing when the workspace is not in git. */
export async function readGitState(root: string, env: NodeJS.ProcessEnv): Promise<GitState> {
  try {
    const [head, status] = await Promise.all([
      runCommand('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, env }),
      runCommand('git', ['status', '--porcelain'], { cwd: root, env }),
    ]);
    const sha = head.stdout.trim();
    if (head.exitCode !== 0 || !/^[0-9a-f]{4,40}$/.test(sha)) return { dirty: false };
    return { sha, dirty: status.exitCode !== 0 || status.stdout.trim() !== '' };
  } catch {
    // No git on this machine: no sha tag.
    return { dirty: false };
  }
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}
