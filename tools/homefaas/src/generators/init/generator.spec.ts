import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseHomefaasConfig, parseStack } from '@homefaas/config';
import { installPackagesTask, readJson, readNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { treeSnapshot } from '../../test-support/tree-snapshot';
import newFunctionGenerator from '../new-function/generator';
import initGenerator, {
  FUNCTIONS_TSCONFIG,
  GITIGNORE_LINES,
  INITIAL_STACK,
  VITEST_VERSION,
} from './generator';

// `npm install` is the package manager's: the specs see only whether and when init asks for it.
vi.mock('@nx/devkit', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@nx/devkit')>()),
  installPackagesTask: vi.fn(),
}));

const WORKSPACE_ROOT = resolve(__dirname, '../../../../..');
/** Stands in for the templates inside the built package: the same files. */
const TEMPLATES = join(WORKSPACE_ROOT, 'template');
const RUNTIME_MAIN = 'node_modules/@homefaas/nx-plugin/template/node22-ts/runtime/index.ts';

/** Runs the generator and returns what it printed. */
async function init(tree: Tree, options: Parameters<typeof initGenerator>[1] = {}): Promise<string[]> {
  const callback = await initGenerator(tree, options, TEMPLATES);
  const lines: string[] = [];
  const { logger } = await import('@nx/devkit');
  const info = logger.info;
  logger.info = (line: string) => lines.push(line);
  vi.mocked(installPackagesTask).mockImplementation(() => lines.push('<npm install>'));
  try {
    await callback();
  } finally {
    logger.info = info;
  }
  return lines;
}

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    vi.mocked(installPackagesTask).mockReset();
  });

  it('writes homefaas.json, stack.yml, infra/project.json, .gitignore lines, the runtime path and the plugin', async () => {
    const printed = await init(tree);
    const config = parseHomefaasConfig(tree.read('homefaas.json', 'utf8') ?? undefined);
    expect(config.registry).toMatchObject({ host: 'docker-registry.home.lan', port: 5000, user: 'homefaas' });
    expect(readJson(tree, 'homefaas.json')).toEqual({
      registry: { host: 'docker-registry.home.lan', port: 5000, user: 'homefaas' },
      ca: { certPath: 'infra/ca/homeCA.pem', keyPath: 'infra/ca/homeCA.key' },
    });
    expect(tree.read('stack.yml', 'utf8')).toBe(INITIAL_STACK);
    const stack = parseStack(INITIAL_STACK);
    expect(stack.provider).toEqual({ name: 'openfaas' });
    expect(stack.functions).toEqual({});
    expect(readJson(tree, 'infra/project.json').targets).toEqual({
      'registry-up': { executor: '@homefaas/nx-plugin:registry-up', options: {} },
      doctor: { executor: '@homefaas/nx-plugin:doctor', options: {} },
      'trust-builder': { executor: '@homefaas/nx-plugin:trust-builder', options: {} },
    });
    const ignored = (tree.read('.gitignore', 'utf8') ?? '').split('\n');
    for (const line of ['*.key', 'infra/secrets/', 'infra/registry/auth/', '.homefaas/']) {
      expect(ignored).toContain(line);
    }
    // The empty workspace has a tsconfig.base.json: the path goes there, next to the workspace's own.
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths).toEqual({
      '@homefaas/node22-ts': [RUNTIME_MAIN],
    });
    expect(tree.exists(FUNCTIONS_TSCONFIG)).toBe(false);
    expect(readNxJson(tree)?.plugins).toEqual(['@homefaas/nx-plugin']);
    expect(readNxJson(tree)?.sync?.globalGenerators).toEqual(['@homefaas/nx-plugin:sync-publish-inputs']);
    // No template copied: functions build with the plugin's.
    expect(tree.exists('template')).toBe(false);
    expect(printed.filter((line) => line.startsWith('↻'))).toHaveLength(7);
    expect(printed).toContain(
      "✔ functions build with the plugin's node22-ts template (--copyTemplate copies it into template/node22-ts to change it)",
    );
  });

  it('adds vitest to devDependencies when the workspace has none, and installs once after the summary', async () => {
    const printed = await init(tree);
    expect(readJson(tree, 'package.json').devDependencies).toEqual({ vitest: VITEST_VERSION });
    expect(printed).toContain("↻ added vitest to devDependencies (functions' tests)");
    expect(printed.at(-1)).toBe('<npm install>');
    expect(printed.filter((line) => line === '<npm install>')).toHaveLength(1);
    expect(installPackagesTask).toHaveBeenCalledWith(tree);
  });

  it.each([
    ['devDependencies', { devDependencies: { vitest: '~3.2.0' } }],
    ['dependencies', { dependencies: { vitest: '^2.0.0' } }],
  ])('keeps the vitest %s has, and installs nothing', async (_field, manifest) => {
    const text = `${JSON.stringify({ name: 'ws', ...manifest }, null, 2)}\n`;
    tree.write('package.json', text);
    const printed = await init(tree);
    expect(tree.read('package.json', 'utf8')).toBe(text);
    expect(printed).toContain("✔ package.json has vitest already (functions' tests)");
    expect(printed).not.toContain('<npm install>');
    expect(installPackagesTask).not.toHaveBeenCalled();
  });

  it('adds vitest next to the devDependencies there are, keeping the other fields', async () => {
    tree.write(
      'package.json',
      JSON.stringify({ name: 'ws', scripts: { x: 'y' }, devDependencies: { nx: '23.3.2' } }),
    );
    await init(tree);
    const manifest = readJson(tree, 'package.json');
    expect(manifest).toMatchObject({ name: 'ws', scripts: { x: 'y' } });
    expect(manifest.devDependencies).toEqual({ nx: '23.3.2', vitest: VITEST_VERSION });
  });

  it('writes no package.json where the workspace has none, and says vitest is needed', async () => {
    tree.delete('package.json');
    const printed = await init(tree);
    expect(tree.exists('package.json')).toBe(false);
    expect(printed).toContain("✔ no package.json to add vitest to: install it to run functions' tests");
    expect(installPackagesTask).not.toHaveBeenCalled();
  });

  it('adds the vitest range this repository runs its own specs with', async () => {
    const repository = JSON.parse(await readFile(join(WORKSPACE_ROOT, 'package.json'), 'utf8'));
    expect(VITEST_VERSION).toBe(repository.devDependencies.vitest);
  });

  it('changes nothing when run again, and says each part is in place', async () => {
    await init(tree);
    const before = treeSnapshot(tree);
    const printed = await init(tree);
    expect(treeSnapshot(tree)).toEqual(before);
    expect(printed.every((line) => line.startsWith('✔'))).toBe(true);
    expect(printed).toHaveLength(8);
    expect(installPackagesTask).toHaveBeenCalledTimes(1);
  });

  it('keeps files it did not write: homefaas.json, stack.yml and the infra project as they are', async () => {
    tree.write('homefaas.json', '{ "registry": { "host": "registry.lab.lan" } }\n');
    const stack =
      'version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n  other:\n    image: r:5000/other:latest\n';
    tree.write('stack.yml', stack);
    tree.write('ops/project.json', JSON.stringify({ name: 'infra', targets: {} }));
    const printed = await init(tree);
    expect(tree.read('homefaas.json', 'utf8')).toBe('{ "registry": { "host": "registry.lab.lan" } }\n');
    expect(tree.read('stack.yml', 'utf8')).toBe(stack);
    expect(tree.exists('infra/project.json')).toBe(false);
    expect(printed).toEqual(
      expect.arrayContaining([
        '✔ kept homefaas.json as it is',
        '✔ kept stack.yml as it is (1 function)',
        '✔ kept the infra project (ops) as it is',
      ]),
    );
  });

  it('merges the registry options into an existing homefaas.json, keeping every other field', async () => {
    tree.write(
      'homefaas.json',
      JSON.stringify({ registry: { user: 'me' }, builder: { driver: 'docker-container' } }),
    );
    const printed = await init(tree, { registryHost: 'registry.lab.lan', registryPort: 5443 });
    expect(readJson(tree, 'homefaas.json')).toEqual({
      registry: { user: 'me', host: 'registry.lab.lan', port: 5443 },
      builder: { driver: 'docker-container' },
    });
    expect(printed).toContain('↻ set the registry of homefaas.json to registry.lab.lan:5443, the rest kept');
  });

  it('writes the registry options into a new homefaas.json', async () => {
    await init(tree, { registryHost: 'registry.lab.lan', registryPort: 5443 });
    expect(readJson(tree, 'homefaas.json').registry).toEqual({
      host: 'registry.lab.lan',
      port: 5443,
      user: 'homefaas',
    });
  });

  it.each([
    ['homefaas.json', '{ not json', 'ERR_CONFIG_PARSE'],
    ['homefaas.json', '{ "registry": { "port": "five" } }', 'ERR_CONFIG_INVALID'],
    ['stack.yml', 'provider: [1, 2]\n', 'ERR_STACK_INVALID'],
  ])('refuses a broken %s (%j) and writes nothing', async (file, text, code) => {
    tree.write(file, text);
    const before = treeSnapshot(tree);
    await expect(initGenerator(tree, {}, TEMPLATES)).rejects.toMatchObject({ code });
    expect(treeSnapshot(tree)).toEqual(before);
  });

  it('adds only the missing .gitignore lines, once, after what is there', async () => {
    tree.write('.gitignore', 'node_modules\n/dist\n*.key');
    await init(tree);
    const text = tree.read('.gitignore', 'utf8') ?? '';
    expect(text.startsWith('node_modules\n/dist\n*.key\n\n# homefaas:')).toBe(true);
    const lines = text.split('\n');
    // `/dist` keeps dist/ out already.
    expect(lines).not.toContain('dist/');
    for (const line of GITIGNORE_LINES.filter((l) => l !== 'dist/')) {
      expect(lines.filter((l) => l === line)).toHaveLength(1);
    }
  });

  it('keeps the plugin entry nx.json has, in object form too, the other plugins and sync settings', async () => {
    tree.write(
      'nx.json',
      JSON.stringify({
        plugins: ['@nx/js/typescript', { plugin: '@homefaas/nx-plugin', options: {} }],
        sync: { applyChanges: false, globalGenerators: ['@nx/js:typescript-sync'] },
      }),
    );
    await init(tree);
    expect(readNxJson(tree)?.plugins).toEqual([
      '@nx/js/typescript',
      { plugin: '@homefaas/nx-plugin', options: {} },
    ]);
    expect(readNxJson(tree)?.sync).toEqual({
      applyChanges: false,
      globalGenerators: ['@nx/js:typescript-sync', '@homefaas/nx-plugin:sync-publish-inputs'],
    });
    tree.write('nx.json', JSON.stringify({ plugins: ['@nx/js/typescript'] }));
    await init(tree);
    expect(readNxJson(tree)?.plugins).toEqual(['@nx/js/typescript', '@homefaas/nx-plugin']);
  });

  it('keeps a different path of the runtime that tsconfig.base.json has', async () => {
    tree.write(
      'tsconfig.base.json',
      JSON.stringify({ compilerOptions: { paths: { '@homefaas/node22-ts': ['vendor/runtime.ts'] } } }),
    );
    const printed = await init(tree);
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths).toEqual({
      '@homefaas/node22-ts': ['vendor/runtime.ts'],
    });
    expect(printed).toContain(
      '✔ kept the path of @homefaas/node22-ts in tsconfig.base.json as it is (vendor/runtime.ts)',
    );
  });

  it('writes functions/tsconfig.json when the workspace has no tsconfig.base.json', async () => {
    tree.delete('tsconfig.base.json');
    await init(tree);
    const config = readJson(tree, FUNCTIONS_TSCONFIG);
    expect(config.compilerOptions.paths).toEqual({ '@homefaas/node22-ts': [`../${RUNTIME_MAIN}`] });
    expect(config.compilerOptions.strict).toBe(true);
    expect(config.include).toEqual(['*/src/**/*.ts']);
  });

  it('--copyTemplate copies the template into template/node22-ts and points the runtime path there', async () => {
    const printed = await init(tree, { copyTemplate: true });
    for (const file of ['Dockerfile', 'template.yml', 'package.json', 'runtime/index.ts', 'bundle.cjs']) {
      expect(tree.read(`template/node22-ts/${file}`, 'utf8'), file).toBe(
        await readFile(join(TEMPLATES, 'node22-ts', file), 'utf8'),
      );
    }
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths).toEqual({
      '@homefaas/node22-ts': ['template/node22-ts/runtime/index.ts'],
    });
    expect(printed).toContain("↻ copied the plugin's node22-ts template into template/node22-ts");
    // Never over a template the workspace has.
    tree.write('template/node22-ts/Dockerfile', 'FROM mine\n');
    await init(tree, { copyTemplate: true });
    expect(tree.read('template/node22-ts/Dockerfile', 'utf8')).toBe('FROM mine\n');
  });

  it('needs no runtime path where the template is an npm workspace package, as in this repository', async () => {
    tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['libs/*', 'template/*'] }));
    tree.write(
      'template/node22-ts/package.json',
      JSON.stringify({ name: '@homefaas/node22-ts', main: 'runtime/index.ts' }),
    );
    tree.write('template/node22-ts/Dockerfile', 'FROM x\n');
    const printed = await init(tree);
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths).toEqual({});
    expect(printed).toContain(
      '✔ @homefaas/node22-ts resolves through the npm workspace (template/node22-ts)',
    );
  });

  it('in this repository, the example workspace, keeps every file it has and adds nothing for functions', async () => {
    const real = createTreeWithEmptyWorkspace({ formatter: 'none' });
    real.delete('tsconfig.base.json');
    const files = [
      'package.json',
      'nx.json',
      'homefaas.json',
      'stack.yml',
      '.gitignore',
      'infra/project.json',
    ];
    for (const file of files) {
      const text = await readFile(join(WORKSPACE_ROOT, file), 'utf8').catch(() => undefined);
      if (text !== undefined) real.write(file, text);
    }
    for (const file of ['package.json', 'Dockerfile']) {
      real.write(`template/node22-ts/${file}`, await readFile(join(TEMPLATES, 'node22-ts', file), 'utf8'));
    }
    const before = treeSnapshot(real);
    const printed = await init(real);
    const after = treeSnapshot(real);
    expect(printed).toContain("✔ package.json has vitest already (functions' tests)");
    expect(installPackagesTask).not.toHaveBeenCalled();
    // This repository's nx.json registers the plugin and its sync generator already: it is kept too.
    for (const [file, text] of Object.entries(before)) expect(after[file], file).toBe(text);
    const added = Object.keys(after).filter((file) => before[file] === undefined);
    // Only homefaas.json, when the clone has none (every setting at its default).
    expect(added.filter((file) => file !== 'homefaas.json')).toEqual([]);
    const plugins = (readNxJson(real)?.plugins ?? []).map((entry) =>
      typeof entry === 'string' ? entry : entry.plugin,
    );
    expect(plugins.filter((name) => name === '@homefaas/nx-plugin')).toHaveLength(1);
  });

  it('leaves a workspace ready for new-function: the function lands in the stack init wrote', async () => {
    await init(tree);
    await newFunctionGenerator(tree, { name: 'greeter' });
    const stack = parseStack(tree.read('stack.yml', 'utf8') ?? '');
    expect(Object.keys(stack.functions)).toEqual(['greeter']);
    expect(stack.functions.greeter?.image).toBe('docker-registry.home.lan:5000/greeter:latest');
    expect(tree.read('stack.yml', 'utf8')).toMatch(/^# The functions of this workspace/);
  });
});
