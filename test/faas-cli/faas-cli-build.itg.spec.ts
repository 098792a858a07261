import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../tools/homefaas/src/function/function-bundle';
import { readStackFunction, resolveFunctionBundle } from '../../tools/homefaas/src/function/function-project';
import { resolveImageBuild } from '../../tools/homefaas/src/image/image-build';
import {
  type SecureTestRegistry,
  startSecureTestRegistry,
} from '../../tools/homefaas/src/test-support/secure-test-registry';
import { freePort } from '../support/free-port';
import { waitForAnswer } from '../support/wait-for-answer';
import {
  buildCommand,
  type FaasStack,
  newFunction,
  parseFaasStack,
  publishCommand,
  writeBuildContext,
} from './faas-cli';

// The workspace built as a faas-cli user builds it, without Nx: faas-cli's build context and its docker
// commands (see faas-cli.ts), the real engine, buildx, registry and qemu. Two things differ from a faas-cli run
// on purpose, both forced by this machine: buildx's default builder stands in for the `multiarch`
// docker-container builder faas-cli creates (no moby/buildkit image can be pulled here), and
// BUILDX_NO_DEFAULT_ATTESTATIONS=1 is set as a faas-cli user pushing to registry:2 must (it refuses the OCI
// index that provenance attestations make).
const REPO_ROOT = resolve(__dirname, '../..');
const PLATFORMS = 'linux/amd64,linux/arm64,linux/arm/v7';
const NAME = `hf-faas-cli-${process.pid}`;
const TAG = `faas-cli-${process.pid}`;

let registry: SecureTestRegistry;
let scratch: string;
const containers: string[] = [];
const images: string[] = [];

/** The workspace's stack.yml, images in the test registry, with the line that copies the sample's lib. */
function workspaceStack(): FaasStack {
  const stack = parseFaasStack(readFileSync(join(REPO_ROOT, 'stack.yml'), 'utf8'));
  const functions = Object.fromEntries(
    Object.entries(stack.functions).map(([name, fn]) => [
      name,
      { ...fn, image: `${registry.address}/${name}:${TAG}` },
    ]),
  );
  return { ...stack, functions, configuration: { copy: ['./libs/greeting'] } };
}

async function docker(args: string[], cwd?: string, extra: NodeJS.ProcessEnv = {}) {
  return runCommand('docker', args, { ...(cwd ? { cwd } : {}), env: { ...registry.env, ...extra } });
}

/** Runs `image` for `platform` on the host network; resolves with its port once it answers. */
async function start(
  image: string,
  platform: string,
  pull: boolean,
): Promise<{ port: number; container: string }> {
  const port = await freePort();
  const container = `${NAME}-${containers.length}`;
  containers.push(container);
  const run = await docker([
    'run',
    '-d',
    ...(pull ? ['--pull', 'always'] : []),
    '--name',
    container,
    '--network',
    'host',
    '--platform',
    platform,
    '-e',
    `port=${port}`,
    image,
  ]);
  expect(run.exitCode, run.output).toBe(0);
  return { port, container };
}

beforeAll(async () => {
  registry = await startSecureTestRegistry({ name: NAME });
  scratch = mkdtempSync(join(tmpdir(), 'faas-cli-build-'));
});

afterAll(async () => {
  for (const container of containers) await runCommand('docker', ['rm', '-f', container]);
  for (const image of images) await runCommand('docker', ['image', 'rm', '-f', image]);
  await registry?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('faas-cli publish of the workspace sample (imports @homefaas/greeting), without Nx', () => {
  let image: string;

  it('pushes linux/amd64, linux/arm64 and linux/arm/v7, bundling once, on the build platform', async () => {
    const stack = workspaceStack();
    image = stack.functions['hello-world']?.image ?? '';
    images.push(image);
    const context = writeBuildContext(REPO_ROOT, stack, 'hello-world', scratch);
    const result = await docker(publishCommand(stack, 'hello-world', PLATFORMS), context, {
      BUILDX_NO_DEFAULT_ATTESTATIONS: '1',
    });
    expect(result.exitCode, result.output).toBe(0);
    // One RUN step for three platforms: the bundle stage ran once, for the build platform, not under qemu.
    const runSteps = new Set(result.output.match(/^#\d+ \[[^\]]*\] RUN .*$/gm) ?? []);
    expect([...runSteps].map((line) => line.replace(/^#\d+ \[[^ ]+ /, '['))).toEqual([
      expect.stringMatching(/^\[bundle-source \d+\/\d+\] RUN --network=none /),
    ]);
    const client = registry.client();
    try {
      const manifest = await client.getManifest('hello-world', TAG);
      expect(client.platformsOf(manifest).sort()).toEqual(['linux/amd64', 'linux/arm/v7', 'linux/arm64']);
    } finally {
      await client.close();
    }
  });

  it.each([
    ['linux/arm64', 'arm64'],
    ['linux/arm/v7', 'arm'],
  ])('the %s image, pulled from the registry, runs under qemu and answers', async (platform, arch) => {
    await runCommand('docker', ['image', 'rm', '-f', image]);
    const { port, container } = await start(image, platform, true);
    expect(await waitForAnswer(`http://127.0.0.1:${port}/?name=Ada`)).toEqual({
      status: 200,
      body: { message: 'Hello, Ada!' },
    });
    const processArch = await runCommand('docker', ['exec', container, 'node', '-p', 'process.arch']);
    expect(processArch.stdout.trim()).toBe(arch);
  });
});

describe('faas-cli new --lang node22-ts, then faas-cli build', () => {
  it('makes a TypeScript function that builds and answers', async () => {
    const project = join(scratch, 'project');
    mkdirSync(join(project, 'template'), { recursive: true });
    // What `faas-cli template pull <this repository>` puts in the project.
    execFileSync('cp', ['-r', join(REPO_ROOT, 'template/node22-ts'), join(project, 'template/node22-ts')]);
    const image = `${NAME}-my-fn:latest`;
    images.push(image);
    newFunction(project, 'my-fn', 'node22-ts', image);
    const stack = parseFaasStack(readFileSync(join(project, 'stack.yml'), 'utf8'));
    expect(stack.functions['my-fn']).toEqual({ lang: 'node22-ts', handler: './my-fn', image });
    const context = writeBuildContext(project, stack, 'my-fn');
    const build = await docker(buildCommand(stack, 'my-fn'), context);
    expect(build.exitCode, build.output).toBe(0);
    const { port } = await start(image, 'linux/amd64', false);
    expect(await waitForAnswer(`http://127.0.0.1:${port}/?name=Grace`)).toEqual({
      status: 200,
      body: { greeting: 'Hello, Grace!' },
    });
  });
});

describe('esbuild for each build machine', () => {
  it.each(['esbuild-amd64', 'esbuild-arm64', 'esbuild-arm'])(
    '%s: the npm registry serves the package the Dockerfile pins by digest',
    async (stage) => {
      const empty = mkdtempSync(join(scratch, 'empty-'));
      const dockerfile = join(REPO_ROOT, 'template/node22-ts/Dockerfile');
      const build = await docker(
        [
          'buildx',
          'build',
          '--progress=plain',
          '--target',
          stage,
          '--output',
          'type=cacheonly',
          '-f',
          dockerfile,
          '.',
        ],
        empty,
      );
      expect(build.exitCode, build.output).toBe(0);
    },
  );
});

describe("the workspace's own build context (nx run <fn>:build)", () => {
  it('still builds with no network, no npm and no esbuild (BUNDLE=prebuilt), and the image holds the bundle exactly as built', async () => {
    const context = join(scratch, 'dist-hello-world');
    await bundleFunction(
      resolveFunctionBundle(
        {
          name: 'hello-world',
          workspaceRoot: REPO_ROOT,
          projectDir: join(REPO_ROOT, 'functions/hello-world'),
        },
        {},
      ),
      context,
    );
    const image = `${NAME}-prebuilt:latest`;
    images.push(image);
    // The build args publish and the image target give this context.
    const request = resolveImageBuild(
      { ...readStackFunction(REPO_ROOT, 'hello-world', {}), platforms: ['linux/amd64'] },
      { workspaceRoot: REPO_ROOT, context, homeDir: scratch },
    );
    const buildArgs = Object.entries(request.buildArgs).flatMap(([key, value]) => [
      '--build-arg',
      `${key}=${value}`,
    ]);
    expect(buildArgs).toEqual(['--build-arg', 'BUNDLE=prebuilt']);
    const build = await docker(
      ['buildx', 'build', '--progress=plain', '--load', ...buildArgs, '--tag', image, '.'],
      context,
    );
    expect(build.exitCode, build.output).toBe(0);
    expect(build.output).not.toMatch(/\bnpm\b|registry\.npmjs\.org|esbuild|RUN /);
    const shipped = await runCommand('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      image,
      'node',
      '-e',
      "process.stdout.write(require('fs').readFileSync('/home/app/index.js'))",
    ]);
    expect(shipped.stdout).toBe(readFileSync(join(context, 'index.js'), 'utf8'));
    const { port } = await start(image, 'linux/amd64', false);
    expect(await waitForAnswer(`http://127.0.0.1:${port}/?name=Lin`)).toEqual({
      status: 200,
      body: { message: 'Hello, Lin!' },
    });
  });
});
