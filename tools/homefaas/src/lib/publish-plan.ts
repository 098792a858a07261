import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type ResolvedFunction, registryAddress } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { resolveBuildxConfigDir } from './builder-trust';
import type { ResolvedFunctionBundle } from './function-bundle';
import { type FunctionSourceOptions, readStackFunction, resolveFunctionBundle } from './function-project';
import { type ResolvedGateway, resolveGatewaySettings } from './gateway-settings';
import type { ImageBuildOverrides } from './image-build';
import { type ResolvedRegistrySettings, resolveRegistrySettings } from './registry-settings';
import { readWorkspaceConfig } from './workspace-config';

/** Local, git-ignored folder with one file per secret named in stack.yml (`infra/secrets/<name>`). */
export const SECRETS_DIR = 'infra/secrets';
/** Default wait for an available replica after a deploy. */
export const DEFAULT_READY_TIMEOUT_SECONDS = 120;

/** The options of the publish executor (schema.json). */
export interface PublishOptions {
  dryRun?: boolean;
  skipDeploy?: boolean;
  platforms?: string | string[];
  tags?: string | string[];
  gateway?: string;
  /** Seconds. */
  readyTimeout?: number;
  /** Seconds. */
  registryTimeout?: number;
  contextPath?: string;
}

/** Where publish runs: the workspace, the function's project, and its build target's options. */
export interface PublishContext {
  root: string;
  /** The function (= Nx project) name. */
  name: string;
  /** Absolute folder of the project. */
  projectDir: string;
  /** Options of the project's `build` target (handler, lang, external). */
  buildOptions: FunctionSourceOptions;
  env: NodeJS.ProcessEnv;
  home?: string;
}

/** An image reference split into its parts: `registry/repository:tag`. */
export interface ImageName {
  /** `host:port`, or `docker.io` for a Docker Hub name. */
  registry: string;
  repository: string;
  tag: string;
}

/** Everything publish needs, resolved once; no step reads options, files or the environment itself. */
export interface ResolvedPublish {
  root: string;
  name: string;
  fn: ResolvedFunction;
  /** stack.yml's image. */
  image: ImageName;
  /** The image is in the workspace registry (so it needs credentials to pull, and we can look it up). */
  inWorkspaceRegistry: boolean;
  contextDir: string;
  bundle: ResolvedFunctionBundle;
  /** How the image build is derived from stack.yml (platforms override, builder). */
  imageOverrides: ImageBuildOverrides;
  /** Tags pushed besides the content tag: stack.yml's, the git short sha, then `--tags`. */
  extraTags: string[];
  gitSha?: string;
  registry: Readonly<ResolvedRegistrySettings>;
  builder: { driver: 'docker' | 'docker-container'; name: string; buildxDir: string };
  gateway: ResolvedGateway;
  secretsDir: string;
  /** Where publish keeps what it pushed to the gateway (secret fingerprints), git-ignored. */
  stateDir: string;
  readyTimeoutMs: number;
  readyIntervalMs: number;
  dryRun: boolean;
  skipDeploy: boolean;
}

/**
 * Options + homefaas.json + stack.yml + environment → {@link ResolvedPublish}. The gateway URL comes from
 * `--gateway` > stack.yml `provider.gateway` > `OPENFAAS_URL`; its credentials from OPENFAAS_USERNAME /
 * OPENFAAS_PASSWORD(_FILE), else faas-cli's config.
 */
export async function normalizeOptions(
  options: PublishOptions,
  context: PublishContext,
): Promise<Readonly<ResolvedPublish>> {
  const { root, env } = context;
  const home = context.home ?? env.HOME ?? homedir();
  const config = await readWorkspaceConfig(root);
  const fn = readStackFunction(root, context.name, env);
  const image = parseImageName(fn.image);
  const registry = resolveRegistrySettings(
    options.registryTimeout === undefined ? {} : { timeout: options.registryTimeout },
    { root, config, env, interactive: true },
  );
  const readyTimeout = options.readyTimeout ?? DEFAULT_READY_TIMEOUT_SECONDS;
  if (!(readyTimeout > 0)) {
    throw new HomefaasError(
      'ERR_OPTION_INVALID',
      `readyTimeout ${readyTimeout} is not a positive number of seconds.`,
    );
  }
  const contextDir = absolute(root, options.contextPath ?? join('dist', 'functions', context.name));
  const platforms = splitList(options.platforms);
  const gitSha = await readGitSha(root, env);
  const extraTags = [...new Set([image.tag, ...(gitSha ? [gitSha] : []), ...splitList(options.tags)])];
  for (const tag of extraTags) assertTag(tag);
  const builder = { ...config.builder, buildxDir: resolveBuildxConfigDir(env, home) };
  return Object.freeze({
    root,
    name: context.name,
    fn,
    image,
    inWorkspaceRegistry: image.registry === registryAddress(config),
    contextDir,
    bundle: resolveFunctionBundle(
      { name: context.name, workspaceRoot: root, projectDir: context.projectDir },
      context.buildOptions,
    ),
    imageOverrides: {
      workspaceRoot: root,
      context: contextDir,
      ...(platforms.length > 0 ? { platforms } : {}),
      ...(builder.driver === 'docker-container' ? { builder: builder.name } : {}),
      homeDir: home,
      env: registry.commandEnv,
    },
    extraTags,
    ...(gitSha ? { gitSha } : {}),
    registry,
    builder,
    gateway: await resolveGatewaySettings({
      option: options.gateway,
      stackGateway: fn.gateway,
      configGateway: config.gateway?.url,
      env,
      home,
    }),
    secretsDir: join(root, SECRETS_DIR),
    stateDir: join(root, '.homefaas', 'state'),
    readyTimeoutMs: Math.round(readyTimeout * 1000),
    readyIntervalMs: 1000,
    dryRun: options.dryRun ?? false,
    skipDeploy: options.skipDeploy ?? false,
  });
}

/** Splits `host:port/path/name:tag` (Docker Hub names have no registry part); digests are refused. */
export function parseImageName(reference: string): ImageName {
  if (reference.includes('@')) {
    throw new HomefaasError(
      'ERR_STACK_IMAGE',
      `The image ${reference} is pinned by digest; publish needs a tag to push.`,
      {
        hint: 'Write the image in stack.yml as registry/name:tag.',
      },
    );
  }
  const slash = reference.indexOf('/');
  const first = slash === -1 ? '' : reference.slice(0, slash);
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  const rest = hasRegistry ? reference.slice(slash + 1) : reference;
  const colon = rest.lastIndexOf(':');
  const repository = colon === -1 ? rest : rest.slice(0, colon);
  const tag = colon === -1 ? 'latest' : rest.slice(colon + 1);
  return { registry, repository, tag };
}

/** `registry/repository:tag` again. */
export function formatImageName(image: ImageName, tag: string = image.tag): string {
  return `${image.registry === 'docker.io' ? '' : `${image.registry}/`}${image.repository}:${tag}`;
}

/** The short sha of HEAD when the workspace is a git repository with a commit. */
async function readGitSha(root: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const result = await runCommand('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, env });
    const sha = result.stdout.trim();
    return result.exitCode === 0 && /^[0-9a-f]{4,40}$/.test(sha) ? sha : undefined;
  } catch {
    // No git on this machine: no sha tag.
    return undefined;
  }
}

function assertTag(tag: string): void {
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
    throw new HomefaasError('ERR_OPTION_INVALID', `${JSON.stringify(tag)} is not a Docker tag.`, {
      hint: 'A tag has up to 128 letters, digits, _, . and -, and does not start with . or -.',
    });
  }
}

function splitList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}
