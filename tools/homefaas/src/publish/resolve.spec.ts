import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatImageName, parseImageName } from '../image/image-name';
import type { PublishOptions } from './options';
import { type PublishTask, resolveRun, runKey } from './resolve';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-resolve-'));
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
      '  other:',
      '    lang: node22-ts',
      '    handler: ./functions/other',
      '    image: ghcr.io/home/other:stable',
      '',
    ].join('\n'),
  );
  for (const dir of ['functions/hello-world', 'functions/other', 'template/node22-ts']) {
    await mkdir(join(root, dir), { recursive: true });
  }
  await writeFile(join(root, 'template/node22-ts/Dockerfile'), 'FROM node:22-alpine\n');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const task = (name: string, options: PublishOptions = {}): PublishTask => ({
  id: `${name}:publish`,
  name,
  projectDir: join(root, 'functions', name),
  options,
  buildOptions: {},
});
const resolve = (options: PublishOptions = {}, env: NodeJS.ProcessEnv = {}, names = ['hello-world']) =>
  resolveRun(
    root,
    names.map((name) => task(name, options)),
    { PATH: process.env.PATH, HOME: join(root, 'home'), ...env },
  );
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

  it.each(['r.lan:5000/Hello-World:latest', 'r.lan:5000/hello world', 'r.lan:5000/hello:', 'r.lan:5000/'])(
    'refuses %s, which Docker would refuse, naming it and saying how to write one',
    (reference) => {
      const error = (() => {
        try {
          parseImageName(reference);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(isHomefaasError(error, 'ERR_STACK_IMAGE')).toBe(true);
      expect((error as Error).message).toContain(JSON.stringify(reference));
      expect((error as { hint?: string }).hint).toMatch(/lower-case name/);
    },
  );
});

describe('resolveRun', () => {
  it('resolves the gateway option > stack.yml provider.gateway > OPENFAAS_URL, once for the run', async () => {
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

  it('tags with stack.yml’s tag, the git short sha of a clean tree and --tags; never the sha of a changed tree', async () => {
    expect((await resolve({ tags: 'v1.2.0,stable' })).functions[0]?.extraTags).toEqual([
      'latest',
      'v1.2.0',
      'stable',
    ]);
    await git(['init', '-q']);
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', 'x']);
    const sha = (await git(['rev-parse', '--short', 'HEAD'])).stdout.trim();
    const clean = await resolve({ tags: ['v2'] });
    expect(clean.git).toEqual({ sha, dirty: false });
    expect(clean.functions[0]?.extraTags).toEqual(['latest', sha, 'v2']);

    await writeFile(join(root, 'stack.yml'), '# a change not committed\n', { flag: 'a' });
    const dirty = await resolve({ tags: ['v2'] });
    expect(dirty.git).toEqual({ sha, dirty: true });
    expect(dirty.functions[0]?.extraTags).toEqual(['latest', 'v2']);
  });

  it('takes platforms from --platforms over stack.yml, the builder from homefaas.json and buildx’s dir from env', async () => {
    await writeFile(
      join(root, 'homefaas.json'),
      JSON.stringify({ builder: { driver: 'docker-container', name: 'hfb' } }),
    );
    const run = await resolve({ platforms: 'linux/arm/v7' }, { BUILDX_CONFIG: '/x/buildx' });
    expect(run.functions[0]).toMatchObject({
      platforms: ['linux/arm/v7'],
      inWorkspaceRegistry: true,
      contextDir: join(root, 'dist/functions/hello-world'),
    });
    expect(run.builder).toEqual({ driver: 'docker-container', name: 'hfb', buildxDir: '/x/buildx' });
    expect((await resolve()).functions[0]).not.toHaveProperty('platforms');
  });

  it('an image outside the workspace registry is not looked up there', async () => {
    const run = await resolve({}, {}, ['hello-world', 'other']);
    expect(run.functions.map((fn) => [fn.name, fn.inWorkspaceRegistry])).toEqual([
      ['hello-world', true],
      ['other', false],
    ]);
  });

  it('a handler folder that does not exist, or a lang with no template, rejects that function with what to do', async () => {
    await writeFile(
      join(root, 'stack.yml'),
      (await readFile(join(root, 'stack.yml'), 'utf8')).replace(
        'lang: node22-ts\n    handler: ./functions/other',
        'lang: cobol\n    handler: ./functions/other',
      ),
    );
    await rm(join(root, 'functions/hello-world'), { recursive: true, force: true });
    const run = await resolve({}, {}, ['hello-world', 'other']);
    expect(run.functions).toEqual([]);
    const [handler, lang] = run.rejected.map(
      ({ error }) => error as { code: string; message: string; hint: string },
    );
    expect(handler).toMatchObject({
      code: 'ERR_STACK_HANDLER',
      message: 'stack.yml gives hello-world the handler ./functions/hello-world, which does not exist.',
    });
    expect(lang).toMatchObject({
      code: 'ERR_STACK_LANG',
      message: 'stack.yml gives other the lang cobol, but there is no template/cobol.',
      hint: 'Use one of: node22-ts.',
    });
  });

  it('a bad tag, a bad timeout or a function missing from stack.yml rejects that task only', async () => {
    const run = await resolveRun(
      root,
      [
        task('hello-world', { tags: '-nope' }),
        task('other'),
        task('missing'),
        task('hello-world', { readyTimeout: 0 }),
      ],
      { PATH: process.env.PATH },
    );
    expect(run.functions.map((fn) => fn.name)).toEqual(['other']);
    expect(run.rejected.map(({ task, error }) => [task.name, isHomefaasError(error) && error.code])).toEqual([
      ['hello-world', 'ERR_OPTION_INVALID'],
      ['missing', 'ERR_STACK_FUNCTION_NOT_FOUND'],
      ['hello-world', 'ERR_OPTION_INVALID'],
    ]);
  });

  it('is a runner when asked (option over HOMEFAAS_RUNNER), or when the CA certificate is here without its key', async () => {
    expect((await resolve()).mode.runner).toBe(false);
    expect((await resolve({}, { HOMEFAAS_RUNNER: '1' })).mode).toEqual({
      runner: true,
      reason: 'HOMEFAAS_RUNNER=1',
    });
    expect((await resolve({}, { HOMEFAAS_RUNNER: 'false' })).mode.runner).toBe(false);
    expect((await resolve({ runner: false }, { HOMEFAAS_RUNNER: '1' })).mode.runner).toBe(false);
    await mkdir(join(root, 'infra/ca'), { recursive: true });
    await writeFile(join(root, 'infra/ca/homeCA.pem'), 'a certificate');
    expect((await resolve()).mode).toEqual({
      runner: true,
      reason: 'infra/ca/homeCA.pem is here but its key infra/ca/homeCA.key is not',
    });
    await writeFile(join(root, 'infra/ca/homeCA.key'), 'a key');
    expect((await resolve()).mode.runner).toBe(false);
  });
});

describe('runKey', () => {
  it('groups tasks by the options that concern the run as a whole, not per-function ones', () => {
    expect(runKey({ dryRun: true })).not.toBe(runKey({}));
    expect(runKey({ skipDeploy: true })).not.toBe(runKey({}));
    expect(runKey({ tags: 'v1', platforms: 'linux/arm64', readyTimeout: 5 })).toBe(runKey({}));
  });
});
