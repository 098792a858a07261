import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ResolvedFunction } from '@homefaas/config';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import { formatCommand, runCommand } from '@homefaas/docker-engine';

/** One multi-platform image build and push, every value resolved. */
export interface ImageBuildRequest {
  /** The function's name: prefixes every streamed line. */
  name: string;
  /** The image reference from stack.yml, e.g. `docker-registry.home.lan:5000/hello-world:latest`. */
  image: string;
  /** More references pushed with the same manifest list (content tags). */
  extraTags: readonly string[];
  /** e.g. `linux/amd64`, `linux/arm64`, `linux/arm/v7`. */
  platforms: readonly string[];
  /** Absolute folder of the build context (the output of the build target). */
  context: string;
  buildArgs: Readonly<Record<string, string>>;
  /** Secret id → absolute path of the file buildx mounts (`--secret id=<id>,src=<path>`). */
  buildSecrets: Readonly<Record<string, string>>;
  /** `--network` for RUN steps: `host` when external dependencies are installed, since the daemon may have no bridge. */
  network?: string;
  /** A buildx builder other than the current one. */
  builder?: string;
}

/** Collaborators of {@link buildAndPushImage}. */
export interface ImageBuildOptions {
  logger?: Logger;
  /** Environment of the docker CLI (`DOCKER_CONFIG` picks the credentials used to push). */
  env?: NodeJS.ProcessEnv;
  /** Values masked in everything printed (e.g. a token passed as a build arg). */
  secrets?: ReadonlyArray<string | undefined>;
  run?: typeof runCommand;
}

/** What was pushed. */
export interface ImageBuildResult {
  /** Every reference pushed, the stack.yml image first. */
  tags: string[];
  platforms: string[];
  /** Digest of the pushed manifest list, from buildx's metadata file. */
  digest?: string;
  /** The command as it may be shown (secrets masked). */
  command: string;
  durationMs: number;
}

/** How the `image` executor overrides stack.yml. */
export interface ImageBuildOverrides {
  workspaceRoot: string;
  context: string;
  /** Replaces stack.yml's platforms. */
  platforms?: readonly string[];
  extraTags?: readonly string[];
  builder?: string;
  /** `~` in build_secrets paths means this folder. */
  homeDir: string;
  /** `NODE_EXTRA_CA_CERTS` here becomes the `cabundle` secret of an npm install in the image. */
  env?: NodeJS.ProcessEnv;
}

/** The build arg that makes the template install package.json's dependencies per platform. */
export const EXTERNALS_BUILD_ARG = 'EXTERNALS';
/** The build secret the template's npm install reads as its extra CA bundle. */
export const CA_BUNDLE_SECRET = 'cabundle';

/**
 * The request for a function of stack.yml: its image, platforms, build_args and build_secrets. A context
 * with a package.json has external dependencies: the template installs them per platform (`EXTERNALS=npm`),
 * which needs a network and, behind a TLS-inspecting proxy, the CA bundle Node on this machine uses.
 */
export function resolveImageBuild(fn: ResolvedFunction, overrides: ImageBuildOverrides): ImageBuildRequest {
  const platforms =
    overrides.platforms && overrides.platforms.length > 0 ? overrides.platforms : fn.platforms;
  const buildSecrets = Object.fromEntries(
    Object.entries(fn.buildSecrets).map(([id, path]) => [id, expandPath(path, overrides)]),
  );
  const buildArgs = { ...fn.buildArgs };
  const installs = existsSync(join(overrides.context, 'package.json'));
  if (installs) {
    buildArgs[EXTERNALS_BUILD_ARG] ??= 'npm';
    const caBundle = overrides.env?.NODE_EXTRA_CA_CERTS;
    if (buildSecrets[CA_BUNDLE_SECRET] === undefined && caBundle) buildSecrets[CA_BUNDLE_SECRET] = caBundle;
  }
  return {
    name: fn.name,
    image: fn.image,
    extraTags: [...(overrides.extraTags ?? [])],
    platforms: [...new Set(platforms)],
    context: overrides.context,
    buildArgs,
    buildSecrets,
    ...(installs ? { network: 'host' } : {}),
    ...(overrides.builder === undefined ? {} : { builder: overrides.builder }),
  };
}

/**
 * The `docker buildx build` arguments: provenance off because registry 2.x refuses the OCI index that the
 * default attestation makes (https://docs.docker.com/build/attestations/), output pushed to the registry.
 */
export function imageBuildArgs(request: ImageBuildRequest, metadataFile: string): string[] {
  const args = ['buildx', 'build'];
  if (request.builder !== undefined) args.push('--builder', request.builder);
  args.push('--progress=plain', '--provenance=false', `--platform=${request.platforms.join(',')}`);
  if (request.network !== undefined) args.push(`--network=${request.network}`);
  for (const [key, value] of Object.entries(request.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  for (const [id, path] of Object.entries(request.buildSecrets))
    args.push('--secret', `id=${id},src=${path}`);
  for (const tag of imageTags(request)) args.push('--tag', tag);
  args.push('--output=type=registry', '--metadata-file', metadataFile, request.context);
  return args;
}

/**
 * Builds the function image for every platform in one buildx run and pushes the manifest list. buildx's
 * output streams to the logger as it happens, each line prefixed `[<name>] `. A failure throws
 * `ERR_IMAGE_BUILD` with buildx's own last error lines and the command.
 */
export async function buildAndPushImage(
  request: ImageBuildRequest,
  options: ImageBuildOptions = {},
): Promise<ImageBuildResult> {
  const { logger = SILENT_LOGGER, run = runCommand, secrets = [] } = options;
  assertContext(request);
  const temp = await mkdtemp(join(tmpdir(), 'homefaas-image-'));
  try {
    const metadataFile = join(temp, 'metadata.json');
    const args = imageBuildArgs(request, metadataFile);
    logger.info(`Building ${request.image} for ${request.platforms.join(', ')}`);
    logger.progress(`$ ${formatCommand('docker', args, secrets)}`);
    const started = performance.now();
    const result = await run('docker', args, {
      logger,
      prefix: `[${request.name}] `,
      secrets,
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const durationMs = Math.round(performance.now() - started);
    if (result.exitCode !== 0) throw buildError(request, result.command, result.exitCode, result.output);
    const digest = await readDigest(metadataFile);
    return {
      tags: imageTags(request),
      platforms: [...request.platforms],
      ...(digest === undefined ? {} : { digest }),
      command: result.command,
      durationMs,
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * buildx's own error: what it prints after its last progress step (the failed steps, the Dockerfile excerpt
 * and the final `ERROR:` line), at most `max` lines; the last 15 lines when there is no such summary.
 */
export function lastErrorLines(output: string, max = 25): string {
  const lines = output.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const lastStep = lines.findLastIndex((line) => /^#\d+ /.test(line));
  const summary = lines.slice(lastStep + 1);
  const tail = summary.some((line) => /^ERROR\b/.test(line)) ? summary : lines.slice(-15);
  // The failing steps' own messages come first; several platforms often repeat the same one.
  const byMessage = new Map<string, string>();
  for (const line of lines.filter((line) => /^#\d+ ERROR\b/.test(line))) {
    const message = line.replace(/^#\d+ /, '');
    if (!byMessage.has(message)) byMessage.set(message, line);
  }
  const errors = [...byMessage.values()].slice(0, 3);
  return [...errors, ...tail.slice(-max)].join('\n');
}

function imageTags(request: ImageBuildRequest): string[] {
  return [...new Set([request.image, ...request.extraTags])];
}

function assertContext(request: ImageBuildRequest): void {
  if (!existsSync(join(request.context, 'Dockerfile'))) {
    throw new HomefaasError('ERR_IMAGE_CONTEXT', `The build context ${request.context} has no Dockerfile.`, {
      hint: `Build the function first: \`npx nx run ${request.name}:build\`.`,
    });
  }
}

function expandPath(path: string, overrides: ImageBuildOverrides): string {
  if (path === '~' || path.startsWith('~/')) return join(overrides.homeDir, path.slice(1));
  return isAbsolute(path) ? path : resolve(overrides.workspaceRoot, path);
}

async function readDigest(metadataFile: string): Promise<string | undefined> {
  try {
    const digest: unknown = JSON.parse(await readFile(metadataFile, 'utf8'))['containerimage.digest'];
    return typeof digest === 'string' ? digest : undefined;
  } catch {
    return undefined;
  }
}

const HINTS: Array<[RegExp, (request: ImageBuildRequest) => string]> = [
  [
    /x509|certificate signed by unknown authority|tls: failed to verify/i,
    (r) =>
      `The builder does not trust the registry's certificate. Run \`npx nx run infra:registry-up\` (it installs the CA in /etc/docker/certs.d/${registryOf(r)}/ca.crt), or \`npx nx run infra:trust-builder\` for a docker-container builder.`,
  ],
  [
    /401 Unauthorized|no basic auth credentials|authorization failed|unauthorized: /i,
    (r) =>
      `The registry refused the push: log in with \`docker login ${registryOf(r)}\` (or run \`npx nx run infra:registry-up\`).`,
  ],
  [
    /invalid checksum digest format|does not support OCI indexes/i,
    () =>
      'The registry refused an OCI index with attestations; keep --provenance=false and do not add --sbom.',
  ],
  [
    /network bridge not found/i,
    () => 'A RUN step needs a network: build with --network=host (the daemon has no bridge network).',
  ],
  [
    /exec format error|binfmt|qemu/i,
    () =>
      'A RUN step runs for a foreign platform: install qemu-user-static and binfmt-support so the kernel can run it.',
  ],
  [
    /multiple platforms feature is currently not supported/i,
    () =>
      'The default docker driver builds several platforms only with the containerd image store: set {"features":{"containerd-snapshotter":true}} in /etc/docker/daemon.json, or use a docker-container builder.',
  ],
  [
    /no such host|connection refused|i\/o timeout/i,
    (r) =>
      `The registry ${registryOf(r)} is not reachable: start it with \`npx nx run infra:registry-up\` and check that its name resolves.`,
  ],
];

function buildError(
  request: ImageBuildRequest,
  command: string,
  exitCode: number,
  output: string,
): HomefaasError {
  const tail = lastErrorLines(output);
  const hint = HINTS.find(([pattern]) => pattern.test(tail))?.[1](request);
  return new HomefaasError(
    'ERR_IMAGE_BUILD',
    `docker buildx build of ${request.name} failed (exit ${exitCode}):\n${tail}\nCommand: ${command}`,
    { hint: hint ?? "Read buildx's error above; the command is shown so you can run it yourself." },
  );
}

function registryOf(request: ImageBuildRequest): string {
  const first = request.image.split('/')[0] ?? '';
  return request.image.includes('/') && /[.:]|^localhost$/.test(first) ? first : 'docker.io';
}
