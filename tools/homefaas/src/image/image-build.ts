import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ResolvedFunction } from '@homefaas/config';
import { parseImageReference } from '@homefaas/docker-engine';

/** How one function's image is built for its platforms, every value resolved (the references come apart). */
export interface ImageBuildRequest {
  /** The function's name. */
  name: string;
  /** e.g. `linux/amd64`, `linux/arm64`, `linux/arm/v7`. */
  platforms: readonly string[];
  /** Absolute folder of the build context (the output of the build target). */
  context: string;
  buildArgs: Readonly<Record<string, string>>;
  /** Secret id → absolute path of the file buildx mounts (`--secret id=<id>,src=<path>`). */
  buildSecrets: Readonly<Record<string, string>>;
  /** `--network` for RUN steps: `host` when external dependencies are installed, since the daemon may have no bridge. */
  network?: string;
}

/** What the run adds to stack.yml's settings. */
export interface ImageBuildOverrides {
  workspaceRoot: string;
  context: string;
  /** Replaces stack.yml's platforms. */
  platforms?: readonly string[];
  /** `~` in build_secrets paths means this folder. */
  homeDir: string;
  /** `NODE_EXTRA_CA_CERTS` here becomes the `cabundle` secret of an npm install in the image. */
  env?: NodeJS.ProcessEnv;
  /** The context has a package.json (dependencies installed in the image); read from `context` when not given. */
  installs?: boolean;
  /** The context holds index.js, the bundle (not faas-cli's sources); read from `context` when not given. */
  prebuilt?: boolean;
}

/** The build arg that makes the template install package.json's dependencies per platform. */
export const EXTERNALS_BUILD_ARG = 'EXTERNALS';
/** The build arg that tells the template the context holds the bundle (`prebuilt`), not faas-cli's sources. */
export const BUNDLE_BUILD_ARG = 'BUNDLE';
/** The build secret the template's npm install reads as its extra CA bundle. */
export const CA_BUNDLE_SECRET = 'cabundle';

/**
 * The request for a function of stack.yml: its image, platforms, build_args and build_secrets. A context
 * with an index.js holds the bundle already (the template then only copies it); one with a package.json has
 * external dependencies: the template installs them per platform (`EXTERNALS=npm`),
 * which needs a network and, behind a TLS-inspecting proxy, the CA bundle Node on this machine uses.
 */
export function resolveImageBuild(fn: ResolvedFunction, overrides: ImageBuildOverrides): ImageBuildRequest {
  const platforms =
    overrides.platforms && overrides.platforms.length > 0 ? overrides.platforms : fn.platforms;
  const buildSecrets = Object.fromEntries(
    Object.entries(fn.buildSecrets).map(([id, path]) => [id, expandPath(path, overrides)]),
  );
  const buildArgs = { ...fn.buildArgs };
  if (overrides.prebuilt ?? existsSync(join(overrides.context, 'index.js')))
    buildArgs[BUNDLE_BUILD_ARG] ??= 'prebuilt';
  const installs = overrides.installs ?? existsSync(join(overrides.context, 'package.json'));
  if (installs) {
    buildArgs[EXTERNALS_BUILD_ARG] ??= 'npm';
    const caBundle = overrides.env?.NODE_EXTRA_CA_CERTS;
    if (buildSecrets[CA_BUNDLE_SECRET] === undefined && caBundle) buildSecrets[CA_BUNDLE_SECRET] = caBundle;
  }
  return {
    name: fn.name,
    platforms: [...new Set(platforms)],
    context: overrides.context,
    buildArgs,
    buildSecrets,
    ...(installs ? { network: 'host' } : {}),
  };
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

function expandPath(path: string, overrides: ImageBuildOverrides): string {
  if (path === '~' || path.startsWith('~/')) return join(overrides.homeDir, path.slice(1));
  return isAbsolute(path) ? path : resolve(overrides.workspaceRoot, path);
}

const HINTS: Array<[RegExp, (registry: string) => string]> = [
  [
    /x509|certificate signed by unknown authority|tls: failed to verify/i,
    (registry) =>
      `The builder does not trust the registry's certificate. Run \`npx nx run infra:registry-up\` (it installs the CA in /etc/docker/certs.d/${registry}/ca.crt), or \`npx nx run infra:trust-builder\` for a docker-container builder.`,
  ],
  [
    /401 Unauthorized|no basic auth credentials|authorization failed|unauthorized: /i,
    (registry) =>
      `The registry refused the push: log in with \`docker login ${registry}\` (or run \`npx nx run infra:registry-up\`).`,
  ],
  [
    /invalid checksum digest format|does not support OCI indexes/i,
    () =>
      'The registry refused an OCI index with attestations: build without them (homefaas sets BUILDX_NO_DEFAULT_ATTESTATIONS=1) and do not add --sbom.',
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
    (registry) =>
      `The registry ${registry} is not reachable: start it with \`npx nx run infra:registry-up\` and check that its name resolves.`,
  ],
];

/** What to do about buildx's error lines `tail` for an image pushed as `image`, when they show a known cause. */
export function buildErrorHint(tail: string, image: string): string | undefined {
  return HINTS.find(([pattern]) => pattern.test(tail))?.[1](registryOf(image));
}

function registryOf(image: string): string {
  return parseImageReference(image)?.domain ?? 'docker.io';
}
