import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseStack, resolveFunction } from '@homefaas/config';
import { logger, readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { projectsAt, projectsOfTree } from '../../test-support/inferred-projects';
import { treeSnapshot } from '../../test-support/tree-snapshot';
import newFunctionGenerator from './generator';

const WORKSPACE_ROOT = resolve(__dirname, '../../../../..');
const EXISTING_STACK =
  'version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n  other:\n    image: r:5000/other:latest\n';
const LOCK_STEP =
  'Run `npm install` once and commit package-lock.json: npm ci refuses a lock that lacks the new workspace package. Building, testing and serving do not need it.';

/** Runs the generator and its callback; returns what it printed. */
async function generate(tree: Tree, name: string): Promise<string[]> {
  const callback = await newFunctionGenerator(tree, { name });
  const lines: string[] = [];
  const info = logger.info;
  logger.info = (line: string) => lines.push(line);
  try {
    await callback();
  } finally {
    logger.info = info;
  }
  return lines;
}

/** Makes the tree's workspace like this repository: npm workspaces over functions/, a vitest `unit` project. */
function asNpmWorkspaces(tree: Tree): void {
  tree.write(
    'package.json',
    JSON.stringify({ name: 'ws', workspaces: ['libs/*', 'functions/*', 'template/*'] }),
  );
  tree.write('vitest.config.mts', "export default { test: { projects: [{ test: { name: 'unit' } }] } };\n");
}

describe('new-function generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('creates the function folder with handler, spec, package.json and README, and no project.json', async () => {
    const printed = await generate(tree, 'probe-fn');
    for (const file of ['src/handler.ts', 'src/handler.spec.ts', 'package.json', 'README.md']) {
      expect(tree.exists(`functions/probe-fn/${file}`), file).toBe(true);
    }
    expect(tree.exists('functions/probe-fn/project.json')).toBe(false);
    // No npm workspaces: no dependency for npm to look up; the runtime resolves through init's tsconfig path.
    expect(readJson(tree, 'functions/probe-fn/package.json')).toEqual({
      name: 'probe-fn',
      version: '0.1.0',
      private: true,
      description: 'The probe-fn function.',
    });
    expect(printed).toEqual([
      'Created functions/probe-fn and added it to stack.yml (image docker-registry.home.lan:5000/probe-fn:latest).',
      '  npx nx run probe-fn:test     run its tests',
      '  npx nx run probe-fn:serve    run it on http://127.0.0.1:8080/, restarting on change',
      '  npx nx run probe-fn:image    build it for linux/amd64,linux/arm64,linux/arm/v7 and push it',
    ]);
    // The plugin infers the project from stack.yml and the folder.
    const project = (await projectsOfTree(tree))['probe-fn'];
    expect(project).toMatchObject({
      name: 'probe-fn',
      projectType: 'application',
      sourceRoot: 'functions/probe-fn/src',
    });
    const targets = project?.targets ?? {};
    expect(Object.keys(targets)).toEqual(['build', 'test', 'serve', 'image', 'publish']);
    expect(targets.build).toMatchObject({
      executor: '@homefaas/nx-plugin:build',
      cache: true,
      outputs: ['{workspaceRoot}/dist/functions/probe-fn'],
    });
    expect(targets.build?.inputs).toEqual(expect.arrayContaining(['production', '^production']));
    // No vitest config of the workspace's own: vitest's defaults find the spec.
    expect(targets.test?.options).toEqual({
      command: 'npx vitest run functions/probe-fn/',
      cwd: '{workspaceRoot}',
    });
    // publish bundles the function itself (so many functions are one batch); nx.json's global sync
    // generator keeps its inputs in sync.
    expect(targets.publish).toEqual({ executor: '@homefaas/nx-plugin:publish' });
    expect(readJson(tree, 'functions/probe-fn/publish-inputs.json').function).toEqual({
      lang: 'node22-ts',
      handler: './functions/probe-fn',
      image: 'docker-registry.home.lan:5000/probe-fn:latest',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
    });
    expect(tree.read('functions/probe-fn/src/handler.ts', 'utf8')).toContain(
      "const FUNCTION_NAME = 'probe-fn';",
    );
    expect(tree.read('functions/probe-fn/README.md', 'utf8')).toContain('npx nx run probe-fn:serve');
  });

  it('in npm workspaces, makes the function a workspace package on the runtime and says to record it in the lock', async () => {
    asNpmWorkspaces(tree);
    const printed = await generate(tree, 'probe-fn');
    expect(readJson(tree, 'functions/probe-fn/package.json')).toEqual({
      name: 'probe-fn',
      version: '0.1.0',
      private: true,
      description: 'The probe-fn function.',
      dependencies: { '@homefaas/node22-ts': '*' },
    });
    expect(printed.at(-1)).toBe(LOCK_STEP);
    expect(printed).toHaveLength(5);
    const project = (await projectsOfTree(tree))['probe-fn'];
    expect(project?.targets?.test?.options).toEqual({
      command: 'npx vitest run --project unit functions/probe-fn/',
      cwd: '{workspaceRoot}',
    });
  });

  it('outside the npm workspaces the root package.json names, writes no dependency and no lock step', async () => {
    tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['libs/*', 'apps/*'] }));
    const printed = await generate(tree, 'probe-fn');
    expect(readJson(tree, 'functions/probe-fn/package.json').dependencies).toBeUndefined();
    expect(printed).not.toContain(LOCK_STEP);
  });

  it('adds the function to stack.yml with the default registry, lang and three platforms', async () => {
    await newFunctionGenerator(tree, { name: 'probe-fn' });
    const stack = parseStack(tree.read('stack.yml', 'utf8') ?? '');
    expect(stack.functions['probe-fn']).toEqual({
      lang: 'node22-ts',
      handler: './functions/probe-fn',
      image: 'docker-registry.home.lan:5000/probe-fn:latest',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
    });
    expect(resolveFunction(stack, 'probe-fn').platforms).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
    ]);
  });

  it('takes the registry from homefaas.json, keeps existing functions, and writes platforms and limits', async () => {
    tree.write('homefaas.json', JSON.stringify({ registry: { host: 'registry.lab.lan', port: 5443 } }));
    tree.write('stack.yml', `# my functions\n${EXISTING_STACK}`);
    await newFunctionGenerator(tree, {
      name: 'thumbs',
      platforms: 'linux/arm64, linux/arm/v7',
      memoryLimit: '128Mi',
      cpuLimit: '100m',
    });
    const text = tree.read('stack.yml', 'utf8') ?? '';
    expect(text.startsWith('# my functions\n')).toBe(true);
    const stack = parseStack(text);
    expect(Object.keys(stack.functions)).toEqual(['other', 'thumbs']);
    expect(stack.functions.thumbs).toEqual({
      lang: 'node22-ts',
      handler: './functions/thumbs',
      image: 'registry.lab.lan:5443/thumbs:latest',
      platforms: 'linux/arm64,linux/arm/v7',
      limits: { memory: '128Mi', cpu: '100m' },
    });
  });

  it.each([
    ['Hello', 'ERR_STACK_FUNCTION_NAME'],
    ['hello_world', 'ERR_STACK_FUNCTION_NAME'],
    ['-hello', 'ERR_STACK_FUNCTION_NAME'],
    ['hello-', 'ERR_STACK_FUNCTION_NAME'],
    ['', 'ERR_STACK_FUNCTION_NAME'],
    ['../evil', 'ERR_STACK_FUNCTION_NAME'],
    ['a'.repeat(64), 'ERR_STACK_FUNCTION_NAME'],
  ])('refuses the invalid name %j and changes nothing', async (name, code) => {
    tree.write('stack.yml', EXISTING_STACK);
    const before = treeSnapshot(tree);
    await expect(newFunctionGenerator(tree, { name })).rejects.toMatchObject({ code });
    expect(treeSnapshot(tree)).toEqual(before);
  });

  it('accepts the longest valid name, 63 characters', async () => {
    const name = `a${'-b'.repeat(31)}`;
    expect(name).toHaveLength(63);
    await newFunctionGenerator(tree, { name });
    expect(tree.exists(`functions/${name}/package.json`)).toBe(true);
  });

  it('refuses a name already in stack.yml and changes nothing', async () => {
    tree.write('stack.yml', EXISTING_STACK);
    const before = treeSnapshot(tree);
    await expect(newFunctionGenerator(tree, { name: 'other' })).rejects.toMatchObject({
      code: 'ERR_STACK_EXISTS',
    });
    expect(treeSnapshot(tree)).toEqual(before);
  });

  it('refuses a name whose folder exists though stack.yml lacks it, and changes nothing', async () => {
    tree.write('stack.yml', EXISTING_STACK);
    tree.write('functions/leftover/notes.txt', 'old');
    const before = treeSnapshot(tree);
    await expect(newFunctionGenerator(tree, { name: 'leftover' })).rejects.toMatchObject({
      code: 'ERR_FUNCTION_EXISTS',
    });
    expect(treeSnapshot(tree)).toEqual(before);
  });

  it('refuses a name an Nx project already has', async () => {
    tree.write('libs/shared/project.json', JSON.stringify({ name: 'shared', root: 'libs/shared' }));
    await expect(newFunctionGenerator(tree, { name: 'shared' })).rejects.toMatchObject({
      code: 'ERR_FUNCTION_EXISTS',
    });
    expect(tree.exists('functions/shared')).toBe(false);
    expect(tree.exists('stack.yml')).toBe(false);
  });

  it.each([
    [{ lang: 'python3' }, 'ERR_FUNCTION_LANG'],
    [{ platforms: 'arm64' }, 'ERR_FUNCTION_PLATFORMS'],
    [{ platforms: ' , ' }, 'ERR_FUNCTION_PLATFORMS'],
    // stack.yml's schema refuses it too: the generator never writes a file that publish would refuse.
    [{ platforms: 'linux/amd_64' }, 'ERR_FUNCTION_PLATFORMS'],
    [{ memoryLimit: 'lots' }, 'ERR_FUNCTION_LIMIT'],
    [{ cpuLimit: '1 core' }, 'ERR_FUNCTION_LIMIT'],
  ])('refuses %j and writes nothing', async (options, code) => {
    await expect(newFunctionGenerator(tree, { name: 'fine', ...options })).rejects.toMatchObject({ code });
    expect(tree.exists('functions/fine')).toBe(false);
    expect(tree.exists('stack.yml')).toBe(false);
  });

  it('puts the hint into the message Nx prints', async () => {
    await expect(newFunctionGenerator(tree, { name: 'Nope' })).rejects.toThrow(/\n→ Use lowercase letters/);
  });

  it('gives hello-world the same project a generated function gets', async () => {
    asNpmWorkspaces(tree);
    await newFunctionGenerator(tree, { name: 'hello-world' });
    const generated = (await projectsOfTree(tree))['hello-world'];
    expect(generated).toBeDefined();
    expect(projectsAt(WORKSPACE_ROOT)['hello-world']).toEqual(generated);
  });
});

describe('generated files', () => {
  it.each([['x'], [`a${'-b'.repeat(31)}`]])(
    'for %j pass biome ci and their spec passes under vitest',
    async (name) => {
      const tree = createTreeWithEmptyWorkspace();
      await newFunctionGenerator(tree, { name });
      const dir = await mkdtemp(join(tmpdir(), 'homefaas-generated-'));
      try {
        const biome = JSON.parse(await readFile(join(WORKSPACE_ROOT, 'biome.json'), 'utf8'));
        delete biome.$schema;
        delete biome.vcs;
        await writeFile(join(dir, 'biome.json'), JSON.stringify(biome));
        for (const change of tree.listChanges()) {
          if (!change.path.startsWith('functions/') || change.content === null) continue;
          await mkdir(dirname(join(dir, change.path)), { recursive: true });
          await writeFile(join(dir, change.path), change.content);
        }
        const biomeBin = join(WORKSPACE_ROOT, 'node_modules/.bin/biome');
        expect(() =>
          execFileSync(biomeBin, ['ci', '--colors=off', 'functions'], { cwd: dir, stdio: 'pipe' }),
        ).not.toThrow();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
