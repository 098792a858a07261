import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedFunction } from '@homefaas/config';
import { isHomefaasError } from '@homefaas/core';
import type { CommandResult, runCommand } from '@homefaas/docker-engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAndPushImage, imageBuildArgs, lastErrorLines, resolveImageBuild } from './image-build';

const FIXTURES = join(__dirname, '../executors/image/fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function stackFunction(overrides: Partial<ResolvedFunction> = {}): ResolvedFunction {
  return {
    name: 'hello-world',
    image: 'docker-registry.home.lan:5000/hello-world:latest',
    environment: {},
    secrets: [],
    labels: {},
    annotations: {},
    constraints: [],
    readOnlyRootFilesystem: false,
    buildArgs: {},
    buildSecrets: {},
    platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    skipBuild: false,
    copy: [],
    ...overrides,
  };
}

describe('image build', () => {
  let context: string;

  beforeEach(async () => {
    context = await mkdtemp(join(tmpdir(), 'homefaas-image-spec-'));
    await writeFile(join(context, 'index.js'), '');
    await writeFile(join(context, 'Dockerfile'), 'FROM node:22-alpine\n');
  });
  afterEach(async () => {
    await rm(context, { recursive: true, force: true });
  });

  it('builds the stack.yml platforms, provenance off, pushed, with build args, secrets and tags', () => {
    const request = resolveImageBuild(
      stackFunction({
        buildArgs: { BASE_IMAGE: 'node:22-alpine' },
        buildSecrets: { npmrc: '~/.npmrc', token: 'secrets/token' },
      }),
      {
        workspaceRoot: '/ws',
        context,
        extraTags: ['docker-registry.home.lan:5000/hello-world:c-0123'],
        homeDir: '/home/ada',
      },
    );
    expect(imageBuildArgs(request, '/tmp/m.json')).toEqual([
      'buildx',
      'build',
      '--progress=plain',
      '--provenance=false',
      '--platform=linux/amd64,linux/arm64,linux/arm/v7',
      '--build-arg',
      'BASE_IMAGE=node:22-alpine',
      '--secret',
      'id=npmrc,src=/home/ada/.npmrc',
      '--secret',
      'id=token,src=/ws/secrets/token',
      '--tag',
      'docker-registry.home.lan:5000/hello-world:latest',
      '--tag',
      'docker-registry.home.lan:5000/hello-world:c-0123',
      '--output=type=registry',
      '--metadata-file',
      '/tmp/m.json',
      context,
    ]);
  });

  it('lets an override replace the platforms, and uses another builder when asked', () => {
    const request = resolveImageBuild(stackFunction(), {
      workspaceRoot: '/ws',
      context,
      platforms: ['linux/arm/v7'],
      builder: 'homefaas',
      homeDir: '/root',
    });
    const args = imageBuildArgs(request, '/m');
    expect(args).toContain('--platform=linux/arm/v7');
    expect(args.slice(2, 4)).toEqual(['--builder', 'homefaas']);
    expect(args.some((arg) => arg.startsWith('--network'))).toBe(false);
  });

  it('installs external dependencies per platform: EXTERNALS=npm, host network, the CA bundle as secret', async () => {
    await writeFile(join(context, 'package.json'), '{"dependencies":{"sharp":"0.33.0"}}\n');
    const request = resolveImageBuild(stackFunction(), {
      workspaceRoot: '/ws',
      context,
      homeDir: '/root',
      env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' },
    });
    expect(request.buildArgs).toEqual({ EXTERNALS: 'npm' });
    expect(request.network).toBe('host');
    expect(request.buildSecrets).toEqual({ cabundle: '/etc/ssl/certs/ca-certificates.crt' });
    const own = resolveImageBuild(
      stackFunction({ buildArgs: { EXTERNALS: 'none' }, buildSecrets: { cabundle: '/mine.pem' } }),
      { workspaceRoot: '/ws', context, homeDir: '/root', env: { NODE_EXTRA_CA_CERTS: '/other.pem' } },
    );
    expect(own.buildArgs).toEqual({ EXTERNALS: 'none' });
    expect(own.buildSecrets).toEqual({ cabundle: '/mine.pem' });
  });

  it('keeps buildx summary of a failed step: the step error, the Dockerfile excerpt and the final ERROR', () => {
    expect(lastErrorLines(fixture('buildx-copy-missing.txt')).split('\n')).toEqual([
      '#6 ERROR: failed to calculate checksum of ref ynt368wv30kd0yuj09plnqtqk::hydtaccmptdpytsvzbmf7dflg: "/missing.txt": not found',
      '------',
      ' > [linux/amd64 2/2] COPY missing.txt /:',
      '------',
      '------',
      ' > [linux/arm64 2/2] COPY missing.txt /:',
      '------',
      'Dockerfile:2',
      '--------------------',
      '   1 |     FROM node:22-alpine',
      '   2 | >>> COPY missing.txt /',
      '   3 |',
      '--------------------',
      'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref ynt368wv30kd0yuj09plnqtqk::hydtaccmptdpytsvzbmf7dflg: "/missing.txt": not found',
    ]);
  });

  it('turns a failed push into ERR_IMAGE_BUILD with buildx error, the command and a login hint', async () => {
    const calls: string[][] = [];
    const run = (async (_command: string, args: readonly string[]): Promise<CommandResult> => {
      calls.push([...args]);
      return {
        command: `docker ${args.join(' ')}`,
        exitCode: 1,
        stdout: '',
        stderr: '',
        output: fixture('buildx-push-401.txt'),
      };
    }) as typeof runCommand;
    const request = resolveImageBuild(stackFunction(), { workspaceRoot: '/ws', context, homeDir: '/root' });
    const error = await buildAndPushImage(request, { run }).catch((caught: unknown) => caught);
    expect(isHomefaasError(error, 'ERR_IMAGE_BUILD')).toBe(true);
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toContain('docker buildx build of hello-world failed (exit 1)');
    expect(message).toContain('401 Unauthorized');
    expect(message).toContain('Command: docker buildx build --progress=plain');
    expect(hint).toContain('docker login docker-registry.home.lan:5000');
    expect(calls).toHaveLength(1);
  });

  it('masks secrets in the command it prints', async () => {
    const lines: string[] = [];
    const run = (async (_c: string, args: readonly string[]): Promise<CommandResult> => ({
      command: `docker ${args.join(' ')}`.replaceAll('s3cret', '***'),
      exitCode: 0,
      stdout: '',
      stderr: '',
      output: '',
    })) as typeof runCommand;
    const request = resolveImageBuild(stackFunction({ buildArgs: { TOKEN: 's3cret' } }), {
      workspaceRoot: '/ws',
      context,
      homeDir: '/root',
    });
    const logger = {
      info: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
      progress: (l: string) => lines.push(l),
    };
    const result = await buildAndPushImage(request, { run, logger, secrets: ['s3cret'] });
    expect(lines.join('\n')).toContain('--build-arg TOKEN=***');
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(result.tags).toEqual(['docker-registry.home.lan:5000/hello-world:latest']);
  });

  it('refuses a context that was not built before running buildx', async () => {
    await rm(join(context, 'Dockerfile'));
    let ran = false;
    const run = (async () => {
      ran = true;
      throw new Error('must not run');
    }) as unknown as typeof runCommand;
    const request = resolveImageBuild(stackFunction(), { workspaceRoot: '/ws', context, homeDir: '/root' });
    const error = await buildAndPushImage(request, { run }).catch((caught: unknown) => caught);
    expect(isHomefaasError(error, 'ERR_IMAGE_CONTEXT')).toBe(true);
    expect((error as { hint: string }).hint).toContain('npx nx run hello-world:build');
    expect(ran).toBe(false);
  });
});
