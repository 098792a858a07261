import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectsAt, writeWorkspace } from '../test-support/inferred-projects';
import { createNodes, inferProjects } from './create-nodes';
import { PLUGIN_BUILD_INPUTS, pluginVersion } from './plugin-inputs';

const REPOSITORY_ROOT = resolve(__dirname, '../../../..');
const HANDLER = 'export default async () => ({ ok: true });\n';
const SPEC = "import { it } from 'vitest';\n\nit('answers', () => {});\n";
/** A workspace's own vitest config with a `unit` project, as this repository has. */
const VITEST_CONFIG = {
  'vitest.config.mts': "export default { test: { projects: [{ test: { name: 'unit' } }] } };\n",
};

function stack(functions: Record<string, { handler?: string; lang?: string }>): string {
  const entries = Object.entries(functions).map(([name, fn]) =>
    [
      `  ${name}:`,
      `    lang: ${fn.lang ?? 'node22-ts'}`,
      ...(fn.handler === undefined ? [] : [`    handler: ${fn.handler}`]),
      `    image: docker-registry.home.lan:5000/${name}:latest`,
    ].join('\n'),
  );
  return `version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n${entries.join('\n')}\n`;
}

/** A function folder as `nx g new-function` writes it. */
function generated(name: string): Record<string, string> {
  return {
    [`functions/${name}/package.json`]: JSON.stringify({
      name,
      dependencies: { '@homefaas/node22-ts': '*' },
    }),
    [`functions/${name}/src/handler.ts`]: HANDLER,
    [`functions/${name}/src/handler.spec.ts`]: SPEC,
  };
}

let removals: Array<() => Promise<void>> = [];
async function workspace(files: Record<string, string>): Promise<string> {
  const created = await writeWorkspace(files);
  removals.push(created.remove);
  return created.root;
}

afterEach(async () => {
  for (const remove of removals) await remove();
  removals = [];
});

describe('createNodes', () => {
  it('reads stack.yml and the libs’ package.json files', () => {
    expect(createNodes[0]).toBe('{stack.yml,libs/*/package.json}');
  });

  it('gives a stack.yml function whose folder exists its project and the five targets', async () => {
    const root = await workspace({
      ...VITEST_CONFIG,
      'stack.yml': stack({ hello: { handler: './functions/hello' } }),
      ...generated('hello'),
    });
    const hello = projectsAt(root).hello;
    expect(hello).toMatchObject({
      name: 'hello',
      root: 'functions/hello',
      sourceRoot: 'functions/hello/src',
      projectType: 'application',
      tags: ['type:function', 'lang:node22-ts'],
    });
    const targets = hello?.targets ?? {};
    expect(Object.keys(targets)).toEqual(['build', 'test', 'serve', 'image', 'publish']);
    expect(targets.build).toEqual({
      executor: '@homefaas/nx-plugin:build',
      cache: true,
      inputs: [
        'production',
        '^production',
        {
          fileset: '{workspaceRoot}/node_modules/@homefaas/nx-plugin/package.json',
          includeIgnored: true,
        },
        { input: 'production', projects: '@homefaas/nx-plugin' },
        { externalDependencies: ['esbuild'] },
      ],
      outputs: ['{workspaceRoot}/dist/functions/hello'],
      options: { lang: 'node22-ts' },
    });
    expect(targets.test).toEqual({
      executor: 'nx:run-commands',
      cache: true,
      inputs: ['default', '^production'],
      options: { command: 'npx vitest run --project unit functions/hello/', cwd: '{workspaceRoot}' },
    });
    expect(targets.serve).toEqual({
      executor: '@homefaas/nx-plugin:serve',
      continuous: true,
      options: { port: 8080 },
    });
    expect(targets.image).toEqual({ executor: '@homefaas/nx-plugin:image' });
    // No sync generator on the task: Nx would build the project graph a second time before every publish.
    // publish-inputs.json is the workspace's global sync generator (nx.json `sync.globalGenerators`).
    expect(targets.publish).toEqual({ executor: '@homefaas/nx-plugin:publish' });
  });

  it('gives a folder stack.yml does not name no project', async () => {
    const root = await workspace({
      'stack.yml': stack({ hello: { handler: './functions/hello' } }),
      ...generated('hello'),
      ...generated('stray'),
    });
    expect(Object.keys(projectsAt(root))).toEqual(['hello']);
  });

  it('gives a stack.yml entry whose folder is missing, or that names none or one outside, no project', async () => {
    const root = await workspace({
      'stack.yml': stack({
        hello: { handler: './functions/hello' },
        later: { handler: './functions/later' },
        prebuilt: {},
        outside: { handler: '../elsewhere' },
        file: { handler: './functions/hello/package.json' },
      }),
      ...generated('hello'),
    });
    expect(Object.keys(projectsAt(root))).toEqual(['hello']);
  });

  it('gives no project and no result without stack.yml', async () => {
    const root = await workspace({ ...generated('hello') });
    expect(inferProjects(['stack.yml'], root)).toEqual([]);
  });

  it('builds a faas-cli folder’s top-level handler and runs its own npm test', async () => {
    const root = await workspace({
      ...VITEST_CONFIG,
      'stack.yml': stack({ greet: { handler: './functions/greet' }, shout: { handler: 'functions/shout/' } }),
      'functions/greet/package.json': JSON.stringify({ name: 'greet', scripts: { test: 'node --test' } }),
      'functions/greet/handler.js': 'module.exports = async () => ({});\n',
      'functions/shout/package.json': JSON.stringify({ name: 'shout' }),
      'functions/shout/handler.ts': HANDLER,
    });
    const { greet, shout } = projectsAt(root);
    expect(greet?.sourceRoot).toBe('functions/greet');
    expect(greet?.targets?.build?.options).toEqual({ lang: 'node22-ts', handler: 'handler.js' });
    // Nx's package.json inference gives the same nx:run-script target, which merges with this one.
    expect(greet?.targets?.test).toEqual({
      executor: 'nx:run-script',
      cache: true,
      inputs: ['default', '^production'],
      options: { script: 'test' },
    });
    expect(shout?.root).toBe('functions/shout');
    expect(shout?.targets?.build?.options).toEqual({ lang: 'node22-ts', handler: 'handler.ts' });
    // No spec and no test script: vitest passes on an empty folder rather than failing the run.
    expect(shout?.targets?.test?.options).toEqual({
      command: 'npx vitest run --project unit functions/shout/ --passWithNoTests',
      cwd: '{workspaceRoot}',
    });
  });

  it('runs vitest with its defaults where the workspace root has no vitest config', async () => {
    const root = await workspace({
      'stack.yml': stack({
        hello: { handler: './functions/hello' },
        shout: { handler: './functions/shout' },
      }),
      ...generated('hello'),
      'functions/shout/package.json': JSON.stringify({ name: 'shout' }),
      'functions/shout/src/handler.ts': HANDLER,
      'libs/words/package.json': JSON.stringify({ name: '@homefaas/words' }),
      'libs/words/src/index.spec.ts': SPEC,
      // A config below the root is a project's own: vitest run from the root does not load it.
      'functions/hello/vitest.config.ts': 'export default {};\n',
    });
    const projects = projectsAt(root, ['libs/words/package.json']);
    expect(projects.hello?.targets?.test?.options).toEqual({
      command: 'npx vitest run functions/hello/',
      cwd: '{workspaceRoot}',
    });
    expect(projects.shout?.targets?.test?.options).toEqual({
      command: 'npx vitest run functions/shout/ --passWithNoTests',
      cwd: '{workspaceRoot}',
    });
    expect(projects['@homefaas/words']?.targets?.test?.options).toEqual({
      command: 'npx vitest run libs/words/',
      cwd: '{workspaceRoot}',
    });
  });

  it.each([
    'vitest.config.ts',
    'vitest.config.mts',
    'vitest.config.cts',
    'vitest.config.js',
    'vitest.config.mjs',
    'vitest.config.cjs',
    'vitest.workspace.ts',
    'vitest.workspace.json',
  ])('runs the unit project of the workspace’s own %s', async (config) => {
    const root = await workspace({
      [config]: config.endsWith('.json')
        ? '[{ "test": { "name": "unit" } }]\n'
        : "export default { test: { projects: [{ test: { name: 'unit' } }] } };\n",
      'stack.yml': stack({ hello: { handler: './functions/hello' } }),
      ...generated('hello'),
    });
    expect(projectsAt(root).hello?.targets?.test?.options).toEqual({
      command: 'npx vitest run --project unit functions/hello/',
      cwd: '{workspaceRoot}',
    });
  });

  it('runs vitest with its defaults where the workspace’s own vitest config names no unit project', async () => {
    const root = await workspace({
      'vitest.config.ts': "export default { test: { environment: 'node' } };\n",
      'stack.yml': stack({ hello: { handler: './functions/hello' } }),
      ...generated('hello'),
    });
    expect(projectsAt(root).hello?.targets?.test?.options).toEqual({
      command: 'npx vitest run functions/hello/',
      cwd: '{workspaceRoot}',
    });
  });

  it('tags a function with its own lang', async () => {
    const root = await workspace({
      'stack.yml': stack({ hello: { handler: './functions/hello', lang: 'node20-ts' } }),
      ...generated('hello'),
    });
    const hello = projectsAt(root).hello;
    expect(hello?.tags).toEqual(['type:function', 'lang:node20-ts']);
    expect(hello?.targets?.build?.options).toEqual({ lang: 'node20-ts' });
  });

  it('refuses a function whose package.json names another package, saying which and what to do', async () => {
    const root = await workspace({
      'stack.yml': stack({ hello: { handler: './functions/hello' } }),
      ...generated('hello'),
      'functions/hello/package.json': JSON.stringify({ name: 'hello-world' }),
    });
    expect(() => projectsAt(root)).toThrow(
      expect.objectContaining({
        code: 'ERR_FUNCTION_PACKAGE_NAME',
        message: expect.stringContaining('functions/hello/package.json names the package "hello-world"'),
        hint: expect.stringContaining('Name the package hello'),
      }),
    );
  });

  it('passes on stack.yml’s own errors, with their code', async () => {
    const root = await workspace({ 'stack.yml': 'functions: [\n' });
    expect(() => projectsAt(root)).toThrow(expect.objectContaining({ code: 'ERR_STACK_PARSE' }));
  });

  it('gives each lib test and, with a tsconfig.json, typecheck', async () => {
    const root = await workspace({
      ...VITEST_CONFIG,
      'libs/words/package.json': JSON.stringify({ name: '@homefaas/words' }),
      'libs/words/tsconfig.json': '{"extends": "../../tsconfig.base.json", "include": ["src/**/*.ts"]}\n',
      'libs/words/src/index.ts': 'export const HELLO = 1;\n',
      'libs/words/src/index.spec.ts': SPEC,
      'libs/words/src/engine.itg.spec.ts': SPEC,
      'libs/plain/package.json': JSON.stringify({ name: '@homefaas/plain' }),
      'libs/plain/src/index.ts': 'export {};\n',
      'libs/plain/src/engine.itg.spec.ts': SPEC,
    });
    const projects = projectsAt(root, ['libs/words/package.json', 'libs/plain/package.json']);
    expect(Object.keys(projects)).toEqual(['@homefaas/words', '@homefaas/plain']);
    const words = projects['@homefaas/words'];
    expect(words).toMatchObject({ root: 'libs/words', projectType: 'library', tags: ['type:lib'] });
    expect(words?.targets?.test?.options).toEqual({
      command: 'npx vitest run --project unit libs/words/',
      cwd: '{workspaceRoot}',
    });
    expect(words?.targets?.typecheck).toEqual({
      executor: 'nx:run-commands',
      cache: true,
      inputs: [
        'default',
        '^production',
        '{workspaceRoot}/tsconfig.base.json',
        { externalDependencies: ['typescript'] },
      ],
      options: { command: 'npx tsc -p libs/words/tsconfig.json --noEmit', cwd: '{workspaceRoot}' },
    });
    // An integration spec alone is no unit spec; without a tsconfig.json there is nothing to type-check.
    const plain = projects['@homefaas/plain'];
    expect(Object.keys(plain?.targets ?? {})).toEqual(['test']);
    expect(plain?.targets?.test?.options).toMatchObject({
      command: 'npx vitest run --project unit libs/plain/ --passWithNoTests',
    });
  });

  it('infers this repository’s hello-world and libs', () => {
    const projects = projectsAt(REPOSITORY_ROOT, ['libs/greeting/package.json', 'libs/core/package.json']);
    expect(projects['hello-world']?.targets?.build?.inputs).toEqual(
      expect.arrayContaining([...PLUGIN_BUILD_INPUTS]),
    );
    expect(projects['@homefaas/greeting']?.targets?.test?.options).toMatchObject({
      command: 'npx vitest run --project unit libs/greeting/',
    });
    expect(projects['@homefaas/core']?.targets?.typecheck).toBeDefined();
  });
});

describe('pluginVersion', () => {
  it('reads the running plugin’s package version', () => {
    expect(pluginVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
