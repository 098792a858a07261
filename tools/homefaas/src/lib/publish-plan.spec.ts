import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatImageName, normalizeOptions, type PublishOptions, parseImageName } from './publish-plan';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-plan-'));
  await writeFile(
    join(root, 'stack.yml'),
    [
      'version: 1.0',
      'provider:',
      '  name: openfaas',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: stack.yml substitutes ${VAR} itself
      '  gateway: ${GATEWAY_FROM_STACK}',
      'functions:',
      '  hello-world:',
      '    lang: node22-ts',
      '    handler: ./functions/hello-world',
      '    image: docker-registry.home.lan:5000/hello-world:latest',
      '    platforms: linux/amd64,linux/arm64',
      '',
    ].join('\n'),
  );
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const resolve = (options: PublishOptions = {}, env: NodeJS.ProcessEnv = {}) =>
  normalizeOptions(options, {
    root,
    name: 'hello-world',
    projectDir: join(root, 'functions/hello-world'),
    buildOptions: {},
    env: { PATH: process.env.PATH, ...env },
    home: join(root, 'home'),
  });

describe('parseImageName', () => {
  it.each([
    [
      'docker-registry.home.lan:5000/hello-world:latest',
      { registry: 'docker-registry.home.lan:5000', repository: 'hello-world', tag: 'latest' },
    ],
    [
      'docker-registry.home.lan:5000/team/fn',
      { registry: 'docker-registry.home.lan:5000', repository: 'team/fn', tag: 'latest' },
    ],
    ['alexellis/hello:0.1', { registry: 'docker.io', repository: 'alexellis/hello', tag: '0.1' }],
    ['localhost/x:y', { registry: 'localhost', repository: 'x', tag: 'y' }],
  ])('%s', (reference, expected) => {
    expect(parseImageName(reference)).toEqual(expected);
    expect(formatImageName(parseImageName(reference), 'c-1')).toBe(reference.replace(/(:[^:/]+)?$/, ':c-1'));
  });

  it('refuses a digest reference', () => {
    expect(() => parseImageName('r.lan:5000/x@sha256:abc')).toThrow(/pinned by digest/);
  });
});

describe('normalizeOptions', () => {
  it('resolves the gateway option > stack.yml provider.gateway > OPENFAAS_URL, once', async () => {
    const env = {
      OPENFAAS_URL: 'http://from-env:8080',
      GATEWAY_FROM_STACK: 'http://from-stack:8080',
      OPENFAAS_PASSWORD: 'pw',
    };
    expect((await resolve({ gateway: 'http://from-option:8080' }, env)).gateway.url).toBe(
      'http://from-option:8080',
    );
    expect((await resolve({}, env)).gateway).toMatchObject({
      url: 'http://from-stack:8080',
      auth: { username: 'admin', password: 'pw' },
    });
    expect((await resolve({}, { OPENFAAS_URL: 'http://from-env:8080' })).gateway.url).toBe(
      'http://from-env:8080',
    );
  });

  it('pushes stack.yml tag, the git short sha (in a git repository) and --tags besides the content tag', async () => {
    expect((await resolve({ tags: 'v1.2.0,stable' })).extraTags).toEqual(['latest', 'v1.2.0', 'stable']);
    const git = (args: string[]) =>
      runCommand('git', args, {
        cwd: root,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      });
    await git(['init', '-q']);
    await git(['add', 'stack.yml']);
    await git(['commit', '-q', '-m', 'x']);
    const sha = (await git(['rev-parse', '--short', 'HEAD'])).stdout.trim();
    const resolved = await resolve({ tags: ['v2'] });
    expect(resolved.gitSha).toBe(sha);
    expect(resolved.extraTags).toEqual(['latest', sha, 'v2']);
  });

  it('takes platforms from --platforms over stack.yml, and the builder and buildx dir from homefaas.json and env', async () => {
    await writeFile(
      join(root, 'homefaas.json'),
      JSON.stringify({ builder: { driver: 'docker-container', name: 'hfb' } }),
    );
    const resolved = await resolve({ platforms: 'linux/arm/v7' }, { BUILDX_CONFIG: '/x/buildx' });
    expect(resolved.imageOverrides).toMatchObject({ platforms: ['linux/arm/v7'], builder: 'hfb' });
    expect(resolved.builder).toEqual({ driver: 'docker-container', name: 'hfb', buildxDir: '/x/buildx' });
    expect(resolved.inWorkspaceRegistry).toBe(true);
    expect(resolved.contextDir).toBe(join(root, 'dist/functions/hello-world'));
    expect((await resolve()).imageOverrides).not.toHaveProperty('platforms');
  });

  it('refuses a bad tag and a bad timeout before anything runs', async () => {
    const badTag = await resolve({ tags: '-nope' }).catch((e: unknown) => e);
    expect(isHomefaasError(badTag, 'ERR_OPTION_INVALID')).toBe(true);
    const badTimeout = await resolve({ readyTimeout: 0 }).catch((e: unknown) => e);
    expect(isHomefaasError(badTimeout, 'ERR_OPTION_INVALID')).toBe(true);
  });
});
