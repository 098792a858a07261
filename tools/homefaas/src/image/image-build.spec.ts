import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedFunction } from '@homefaas/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildErrorHint, lastErrorLines, resolveImageBuild } from './image-build';

const FIXTURES = join(__dirname, 'fixtures');
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

  it('builds the stack.yml platforms with its build args and secrets; a context with index.js is prebuilt', () => {
    const request = resolveImageBuild(
      stackFunction({
        buildArgs: { BASE_IMAGE: 'node:22-alpine' },
        buildSecrets: { npmrc: '~/.npmrc', token: 'secrets/token' },
      }),
      { workspaceRoot: '/ws', context, homeDir: '/home/ada' },
    );
    expect(request).toEqual({
      name: 'hello-world',
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      context,
      buildArgs: { BASE_IMAGE: 'node:22-alpine', BUNDLE: 'prebuilt' },
      buildSecrets: { npmrc: '/home/ada/.npmrc', token: '/ws/secrets/token' },
    });
  });

  it('lets an override replace the platforms; faas-cli’s layout (no index.js) is bundled by the template', async () => {
    await rm(join(context, 'index.js'));
    const request = resolveImageBuild(stackFunction(), {
      workspaceRoot: '/ws',
      context,
      platforms: ['linux/arm/v7'],
      homeDir: '/root',
    });
    expect(request.platforms).toEqual(['linux/arm/v7']);
    expect(request.buildArgs).toEqual({});
    expect(request.network).toBeUndefined();
  });

  it('installs external dependencies per platform: EXTERNALS=npm, host network, the CA bundle as secret', async () => {
    await writeFile(join(context, 'package.json'), '{"dependencies":{"sharp":"0.33.0"}}\n');
    const request = resolveImageBuild(stackFunction(), {
      workspaceRoot: '/ws',
      context,
      homeDir: '/root',
      env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' },
    });
    expect(request.buildArgs).toEqual({ BUNDLE: 'prebuilt', EXTERNALS: 'npm' });
    expect(request.network).toBe('host');
    expect(request.buildSecrets).toEqual({ cabundle: '/etc/ssl/certs/ca-certificates.crt' });
    const own = resolveImageBuild(
      stackFunction({ buildArgs: { EXTERNALS: 'none' }, buildSecrets: { cabundle: '/mine.pem' } }),
      { workspaceRoot: '/ws', context, homeDir: '/root', env: { NODE_EXTRA_CA_CERTS: '/other.pem' } },
    );
    expect(own.buildArgs).toEqual({ BUNDLE: 'prebuilt', EXTERNALS: 'none' });
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

  it('says what to do about a push the registry refused (401), naming the registry', () => {
    const tail = lastErrorLines(fixture('buildx-push-401.txt'));
    expect(tail).toContain('401 Unauthorized');
    expect(buildErrorHint(tail, 'docker-registry.home.lan:5000/hello-world:c-0123')).toBe(
      'The registry refused the push: log in with `docker login docker-registry.home.lan:5000` (or run `npx nx run infra:registry-up`).',
    );
    expect(buildErrorHint('ERROR: something nobody knows', 'r.lan:5000/x:1')).toBeUndefined();
  });
});
