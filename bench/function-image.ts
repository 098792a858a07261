// Benchmark, not a test: a cold three-platform build and push of hello-world, ours against a baseline shaped
// like OpenFaaS's official node22 template. Run with `npx tsx bench/function-image.ts` once the Docker engine,
// buildx, qemu and the local images of tools/scripts/test-env.sh are in place. Needs the npm registry.

import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import type { RegistryClient } from '@homefaas/registry-client';
import { bundleFunction } from '../tools/homefaas/src/function/function-bundle';
import { resolveFunctionBundle } from '../tools/homefaas/src/function/function-project';
import { bake } from '../tools/homefaas/src/image/bake';
import { BUNDLE_BUILD_ARG, type ImageBuildRequest } from '../tools/homefaas/src/image/image-build';
import { startSecureTestRegistry } from '../tools/homefaas/src/test-support/secure-test-registry';

const ROOT = resolve(__dirname, '..');
const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];
const REGISTRY_CONTAINER = 'homefaas-bench-registry';
const VERBOSE = process.argv.includes('--verbose');

interface Run {
  name: string;
  repository: string;
  seconds: number;
  /** Sum of the layer sizes of each platform's manifest, in bytes. */
  sizes: Record<string, number>;
}

const log: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  progress: (message) => {
    if (VERBOSE) console.log(message);
  },
};

async function main(): Promise<void> {
  await mustRun(['info', '--format', '{{.ServerVersion}}']);
  const work = await mkdtemp(join(tmpdir(), 'homefaas-bench-'));
  const registry = await startSecureTestRegistry({ name: REGISTRY_CONTAINER });
  const images: string[] = [];
  try {
    console.log(`Registry ${registry.address} (TLS, htpasswd); platforms ${PLATFORMS.join(', ')}`);
    const runs: Run[] = [];
    for (const variant of [ours, baseline]) {
      const repository = `bench-${variant.name}`;
      const image = `${registry.address}/${repository}:cold`;
      images.push(image);
      await coldStart(image);
      console.log(`\n▶ ${variant.name}: cold build and push of hello-world`);
      const started = performance.now();
      await variant(join(work, variant.name), image, registry.env);
      const seconds = (performance.now() - started) / 1000;
      console.log(`  ${variant.name}: ${seconds.toFixed(1)} s`);
      const client = registry.client();
      try {
        runs.push({
          name: variant.name,
          repository,
          seconds,
          sizes: await platformSizes(client, repository),
        });
      } finally {
        await client.close();
      }
    }
    report(runs);
  } finally {
    for (const image of images) await runCommand('docker', ['image', 'rm', '-f', image]);
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** Ours: esbuild on the build machine, then a Dockerfile whose target stage only copies. */
async function ours(dir: string, image: string, env: NodeJS.ProcessEnv): Promise<void> {
  const project = {
    name: 'hello-world',
    workspaceRoot: ROOT,
    projectDir: join(ROOT, 'functions/hello-world'),
  };
  await bundleFunction(resolveFunctionBundle(project, {}), dir);
  // The context holds the bundle: the template only copies it.
  await push(image, { ...request('ours', dir, {}), buildArgs: { [BUNDLE_BUILD_ARG]: 'prebuilt' } }, env);
}

/** The official template's shape: npm install twice and tsc, all in the target-platform stage. */
async function baseline(dir: string, image: string, env: NodeJS.ProcessEnv): Promise<void> {
  await prepareBaselineContext(dir);
  const secrets: Record<string, string> = {};
  if (process.env.NODE_EXTRA_CA_CERTS) secrets.cabundle = process.env.NODE_EXTRA_CA_CERTS;
  // Its RUN steps need a network, and the daemon has no bridge.
  await push(image, { ...request('baseline', dir, secrets), network: 'host' }, env);
}

function request(name: string, context: string, buildSecrets: Record<string, string>): ImageBuildRequest {
  return { name, platforms: PLATFORMS, context, buildArgs: {}, buildSecrets };
}

/** Builds and pushes one image the way publish does (buildx bake, provenance off). */
async function push(image: string, request: ImageBuildRequest, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await bake([{ name: request.name, request, tags: [image] }], { env, logger: log });
  if (result.error) throw new Error(`${request.name} did not build:\n${result.error.tail}`);
}

/** The baseline context: its Dockerfile, the runtime, lib and handler sources with imports made relative, npm. */
async function prepareBaselineContext(dir: string): Promise<void> {
  await mkdir(join(dir, 'src'), { recursive: true });
  for (const file of ['Dockerfile', 'package.json', 'tsconfig.json']) {
    await cp(join(ROOT, 'bench/baseline', file), join(dir, file));
  }
  await copySources(join(ROOT, 'template/node22-ts/runtime'), join(dir, 'src/runtime'));
  await copySources(join(ROOT, 'libs/greeting/src'), join(dir, 'src/greeting'));
  await mkdir(join(dir, 'function'));
  const handler = await readFile(join(ROOT, 'functions/hello-world/src/handler.ts'), 'utf8');
  await writeFile(
    join(dir, 'function/handler.ts'),
    handler
      .replaceAll("'@homefaas/greeting'", "'../src/greeting'")
      .replaceAll("'@homefaas/node22-ts'", "'../src/runtime'"),
  );
  await writeFile(
    join(dir, 'function/package.json'),
    `${JSON.stringify({ name: 'hello-world', version: '0.1.0', private: true }, null, 2)}\n`,
  );
  await writeFile(
    join(dir, 'src/index.ts'),
    "import * as handler from '../function/handler';\nimport { startFromEnv } from './runtime';\n\nvoid startFromEnv(handler);\n",
  );
  await cp(await npmPackageDir(), join(dir, 'npm'), { recursive: true });
}

async function copySources(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const file of await readdir(from)) {
    if (file.endsWith('.ts') && !file.endsWith('.spec.ts')) await cp(join(from, file), join(to, file));
  }
}

/** The npm package of the npm on PATH (the local base image has none). */
async function npmPackageDir(): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const bin = join(dir, 'npm');
    if (dir !== '' && existsSync(bin)) return dirname(dirname(await realpath(bin)));
  }
  throw new Error('npm is not on PATH');
}

/** Cold: no build cache and no local copy of the image; the base images stay. */
async function coldStart(image: string): Promise<void> {
  await mustRun(['buildx', 'prune', '-af']);
  await runCommand('docker', ['image', 'rm', '-f', image]);
}

async function platformSizes(client: RegistryClient, repository: string): Promise<Record<string, number>> {
  const list = (await client.getManifest(repository, 'cold')).manifest as {
    manifests: Array<{ digest: string; platform: { os: string; architecture: string; variant?: string } }>;
  };
  const sizes: Record<string, number> = {};
  for (const entry of list.manifests) {
    const { os, architecture, variant } = entry.platform;
    const image = (await client.getManifest(repository, entry.digest)).manifest as {
      layers: Array<{ size: number }>;
    };
    sizes[[os, architecture, variant].filter(Boolean).join('/')] = image.layers.reduce(
      (sum, layer) => sum + layer.size,
      0,
    );
  }
  return sizes;
}

function report(runs: Run[]): void {
  const [mine, base] = runs;
  if (mine === undefined || base === undefined) return;
  const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1e6).toFixed(2)} MB`);
  console.log('\n| | ours | baseline |');
  console.log('|---|---|---|');
  console.log(
    `| cold build + push, 3 platforms | ${mine.seconds.toFixed(1)} s | ${base.seconds.toFixed(1)} s |`,
  );
  for (const platform of PLATFORMS) {
    console.log(
      `| image ${platform} (sum of layers) | ${mb(mine.sizes[platform])} | ${mb(base.sizes[platform])} |`,
    );
  }
  const ratio = base.seconds / mine.seconds;
  const smaller = PLATFORMS.every(
    (platform) => (mine.sizes[platform] ?? Infinity) <= (base.sizes[platform] ?? 0),
  );
  console.log(`\nSpeed-up: ${ratio.toFixed(1)}x (target ≥ 5x: ${ratio >= 5 ? 'met' : 'NOT met'})`);
  console.log(`Image no larger than the baseline on every platform: ${smaller ? 'yes' : 'NO'}`);
}

async function mustRun(args: string[]): Promise<void> {
  const result = await runCommand('docker', args);
  if (result.exitCode !== 0) throw new Error(`${result.command} failed:\n${result.output}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
