import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseStack, resolveFunction } from '@homefaas/config';
import { createMemoryLogger } from '@homefaas/core';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../../test/support/free-port';
import { bundleFunction } from '../../function/function-bundle';
import { resolveFunctionBundle } from '../../function/function-project';
import { createTestWorkspace, runBundle } from '../../test-support/build-workspace';
import { projectsOfTree } from '../../test-support/inferred-projects';
import { treeSnapshot } from '../../test-support/tree-snapshot';
import importStackGenerator from './generator';

/**
 * A faas-cli project in the official node templates' layout: `faas-cli new --lang node20` writes handler.js and
 * package.json into the handler folder. Two functions share a dependency; a third is Python.
 */
const SOURCE: Record<string, string> = {
  'stack.yml': `version: 1.0
provider:
  name: openfaas
  gateway: http://127.0.0.1:8080
functions:
  greet:
    lang: node20
    handler: ./greet
    image: alexellis2/greet:0.1
    environment: {GREETING: Hello, RATIO: 1.50}
    environment_file: [env/common.yml]
    secrets: [api-key]
    labels: {com.openfaas.scale.min: "2"}
    annotations: {topic: cron}
    limits: {memory: 128Mi, cpu: 100m}
    requests: {memory: 64Mi}
    constraints: ["node.platform.os == linux"]
    build_args: {ADDITIONAL_PACKAGE: git}
    registry_auth: dXNlcjpwYXNz
  shout:
    lang: node18
    handler: ./shout
    image: alexellis2/shout:0.1
    environment_file: [env/common.yml]
    platforms: linux/arm64
  resize:
    lang: python3-http
    handler: ./resize
    image: alexellis2/resize:0.1
`,
  'env/common.yml': 'environment:\n  LOG_LEVEL: debug\n',
  'greet/handler.js': `'use strict';
const { punctuate } = require('shared-words');

module.exports = async (event, context) => {
  const name = (event.body && event.body.name) || event.query.name || 'world';
  return context.status(201).succeed({ greeting: punctuate(\`\${process.env.GREETING || 'Hi'}, \${name}\`) });
};
`,
  'greet/package.json': JSON.stringify({
    name: 'openfaas-function',
    version: '1.0.0',
    description: 'OpenFaaS Function',
    main: 'handler.js',
    scripts: { test: 'node --test' },
    dependencies: { 'shared-words': '^2.1.0' },
    devDependencies: { 'test-helper': '^1.0.0' },
  }),
  'greet/handler.test.js': "require('node:test')('greets', () => {});\n",
  'greet/lib/words.js': 'module.exports = {};\n',
  'greet/node_modules/shared-words/index.js': 'module.exports = {};\n',
  'greet/package-lock.json': '{}\n',
  'greet/.npmrc': '//registry.npmjs.org/:_authToken=secret-token\n',
  'shout/handler.js': `'use strict';
const { punctuate } = require('shared-words');

module.exports = async (event) => punctuate(String(event.body).toUpperCase());
`,
  'shout/package.json': JSON.stringify({
    name: 'openfaas-function',
    version: '1.0.0',
    main: 'handler.js',
    scripts: { test: 'echo "Error: no test specified" && exit 0' },
    dependencies: { 'shared-words': '^2.1.0', ms: '^2.1.3' },
  }),
  'resize/handler.py': 'def handle(event, context):\n    return event.body\n',
};

let source: string;
let tree: Tree;
let logger: ReturnType<typeof createMemoryLogger>;

const run = (path: string, extra: object = {}) =>
  importStackGenerator(tree, { path, ...extra }, { env: {}, logger });

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Every file under `root` with its content hash and modification time. */
async function fingerprint(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const hash = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    out[path.slice(root.length + 1)] = `${hash} ${(await stat(path)).mtimeMs}`;
  }
  return out;
}

/** Every file of the tree with its content. */
const snapshot = () => treeSnapshot(tree);

beforeEach(async () => {
  source = await mkdtemp(join(tmpdir(), 'faas-cli-project-'));
  await writeFiles(source, SOURCE);
  tree = createTreeWithEmptyWorkspace();
  // As in this repository: functions/* are npm workspace packages.
  tree.write('package.json', JSON.stringify({ name: 'ws', private: true, workspaces: ['functions/*'] }));
  logger = createMemoryLogger();
});

afterEach(async () => {
  await rm(source, { recursive: true, force: true });
});

describe('import-stack generator', () => {
  it('turns each Node function into a function project, handler folder and tests included, and leaves the source as it was', async () => {
    const before = await fingerprint(source);
    await run(join(source, 'stack.yml'));
    expect(await fingerprint(source)).toEqual(before);

    for (const file of ['handler.js', 'handler.test.js', 'lib/words.js', 'package.json']) {
      expect(tree.exists(`functions/greet/${file}`), file).toBe(true);
    }
    // Its targets come from stack.yml and the folder, as every function's do.
    expect(tree.exists('functions/greet/project.json')).toBe(false);
    expect(tree.read('functions/greet/handler.js', 'utf8')).toBe(SOURCE['greet/handler.js']);
    for (const leftOut of ['node_modules', 'package-lock.json', '.npmrc']) {
      expect(tree.exists(`functions/greet/${leftOut}`), leftOut).toBe(false);
    }
    expect(tree.exists('functions/resize')).toBe(false);

    expect(readJson(tree, 'functions/greet/package.json')).toEqual({
      name: 'greet',
      version: '0.1.0',
      private: true,
      description: 'The greet function, imported from a faas-cli project.',
      scripts: { test: 'node --test' },
      dependencies: { 'shared-words': '^2.1.0', '@homefaas/node22-ts': '*' },
      devDependencies: { 'test-helper': '^1.0.0' },
    });
    // The shared dependency is declared by both; npm's workspace install keeps one copy.
    expect(readJson(tree, 'functions/shout/package.json').dependencies).toEqual({
      'shared-words': '^2.1.0',
      ms: '^2.1.3',
      '@homefaas/node22-ts': '*',
    });
    expect(readJson(tree, 'functions/shout/package.json')).not.toHaveProperty('scripts');
  });

  it('in npm workspaces: one root `npm install` installs every imported function', async () => {
    const done = await run(join(source, 'stack.yml'));
    done?.();
    expect(logger.lines).toContain(
      "Run `npm install` once: it installs the imported functions' dependencies and records them in package-lock.json.",
    );
    expect(logger.lines.some((line) => line.includes('--prefix'))).toBe(false);
  });

  it('outside npm workspaces: no runtime dependency, and each function with dependencies installs in its folder', async () => {
    tree.write('package.json', JSON.stringify({ name: 'ws', private: true }));
    const done = await run(join(source, 'stack.yml'));
    done?.();
    expect(readJson(tree, 'functions/greet/package.json').dependencies).toEqual({ 'shared-words': '^2.1.0' });
    expect(readJson(tree, 'functions/shout/package.json').dependencies).toEqual({
      'shared-words': '^2.1.0',
      ms: '^2.1.3',
    });
    expect(logger.lines).toContain(
      '  npm install --prefix functions/greet    install its dependencies in its folder',
    );
    expect(logger.lines).toContain(
      '  npm install --prefix functions/shout    install its dependencies in its folder',
    );
    expect(logger.lines.some((line) => line.startsWith('Run `npm install` once'))).toBe(false);
  });

  it('gives each project the targets of a new function, building its handler.js, testing with its own npm test', async () => {
    await run(join(source, 'stack.yml'));
    const { greet, shout } = await projectsOfTree(tree);
    expect(greet).toMatchObject({
      name: 'greet',
      projectType: 'application',
      tags: ['type:function', 'lang:node22-ts'],
    });
    expect(Object.keys(greet?.targets ?? {})).toEqual(['build', 'test', 'serve', 'image', 'publish']);
    expect(greet?.targets?.build?.options).toEqual({ lang: 'node22-ts', handler: 'handler.js' });
    // `npm run test` in its folder: the test script the faas-cli project had.
    expect(greet?.targets?.test).toMatchObject({ executor: 'nx:run-script', options: { script: 'test' } });
    // The tree has no vitest config of its own: vitest runs with its defaults.
    expect(shout?.targets?.test?.options).toEqual({
      command: 'npx vitest run functions/shout/ --passWithNoTests',
      cwd: '{workspaceRoot}',
    });
  });

  it('adds each function to stack.yml with its deploy settings and environment files, in the workspace registry', async () => {
    await run(join(source, 'stack.yml'));
    const text = tree.read('stack.yml', 'utf8') ?? '';
    const stack = parseStack(text);
    expect(Object.keys(stack.functions)).toEqual(['greet', 'shout']);
    expect(stack.functions.greet).toEqual({
      lang: 'node22-ts',
      handler: './functions/greet',
      image: 'docker-registry.home.lan:5000/greet:latest',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      environment_file: ['env/common.yml'],
      environment: { GREETING: 'Hello', RATIO: '1.50' },
      secrets: ['api-key'],
      labels: { 'com.openfaas.scale.min': '2' },
      annotations: { topic: 'cron' },
      limits: { memory: '128Mi', cpu: '100m' },
      requests: { memory: '64Mi' },
      constraints: ['node.platform.os == linux'],
    });
    expect(stack.functions.shout?.platforms).toBe('linux/arm64');
    expect(stack.warnings).toEqual([]);
    expect(tree.read('env/common.yml', 'utf8')).toBe(SOURCE['env/common.yml']);
    const files = (path: string) => tree.read(path, 'utf8') ?? '';
    expect(resolveFunction(stack, 'greet', { readEnvironmentFile: files }).environment).toEqual({
      GREETING: 'Hello',
      RATIO: '1.50',
      LOG_LEVEL: 'debug',
    });
  });

  it('lists what it imported, what it skipped and why, and what the old stack held that faas-cli no longer reads', async () => {
    await run(join(source, 'stack.yml'));
    expect(logger.lines).toContain('  ✔ greet (node20, handler.js) → functions/greet');
    expect(logger.lines).toContain(
      "      not carried over: build_args, registry_auth (they set up the old template's build, or faas-cli no longer reads them)",
    );
    expect(logger.lines).toContain('      not copied: .npmrc, node_modules, package-lock.json');
    expect(logger.lines).toContain(
      '      image docker-registry.home.lan:5000/greet:latest (was alexellis2/greet:0.1)',
    );
    expect(logger.lines).toContain('  – resize skipped: lang python3-http is not a Node template');
    expect(
      logger.lines.some((line) =>
        line.includes('functions.greet.registry_auth: faas-cli 0.18 no longer reads it'),
      ),
    ).toBe(true);
  });

  it('takes the folder that holds stack.yml as well as the file', async () => {
    await run(source);
    expect(tree.exists('functions/greet/handler.js')).toBe(true);
  });

  it('stops before writing anything when a function is already in the workspace, naming every clash', async () => {
    tree.write(
      'stack.yml',
      'version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n  greet:\n    image: r/greet:1\n',
    );
    tree.write('functions/shout/notes.txt', 'mine');
    tree.write('env/common.yml', 'environment:\n  LOG_LEVEL: info\n');
    const before = snapshot();
    const error = await run(join(source, 'stack.yml')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_IMPORT_CLASH' });
    const message = (error as Error).message;
    expect(message).toContain('Function "greet" is already in stack.yml');
    expect(message).toContain('functions/shout already exists.');
    expect(message.match(/env\/common\.yml already exists with other content/g)).toHaveLength(1);
    expect(message).toContain('→ Nothing was written.');
    expect(snapshot()).toEqual(before);
  });

  it('refuses a path that holds no stack file', async () => {
    await expect(run(join(source, 'nope.yml'))).rejects.toMatchObject({ code: 'ERR_IMPORT_SOURCE' });
  });

  it('refuses an environment file outside the faas-cli project', async () => {
    const stack = SOURCE['stack.yml']?.replace(
      'environment_file: [env/common.yml]',
      'environment_file: [../elsewhere.yml]',
    );
    await writeFile(join(source, 'stack.yml'), stack ?? '');
    await expect(run(source)).rejects.toMatchObject({ code: 'ERR_IMPORT_ENV_FILE' });
    expect(tree.exists('functions/greet')).toBe(false);
  });
});

describe('an imported function', () => {
  it("keeps the official template's handler contract: its handler.js answers through this workspace's runtime", async () => {
    await run(source);
    const files: Record<string, string> = {
      // What `npm install` would put in the workspace for the shared dependency.
      'node_modules/shared-words/index.js': 'exports.punctuate = (text) => text + "!";\n',
      'node_modules/shared-words/package.json': '{"name": "shared-words", "main": "index.js"}',
    };
    for (const change of tree.listChanges()) {
      if (change.path.startsWith('functions/greet/') && change.content)
        files[change.path] = change.content.toString();
    }
    const workspace = await createTestWorkspace(files);
    try {
      const project = {
        name: 'greet',
        workspaceRoot: workspace.root,
        projectDir: join(workspace.root, 'functions/greet'),
      };
      const context = join(workspace.root, 'dist/greet');
      await bundleFunction(resolveFunctionBundle(project, { handler: 'handler.js' }), context);
      const port = await freePort();
      const running = await runBundle(join(context, 'index.js'), port);
      try {
        const answer = await fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Ada' }),
        });
        expect(answer.status).toBe(201);
        expect(await answer.json()).toEqual({ greeting: 'Hi, Ada!' });
      } finally {
        await running.stop();
      }
    } finally {
      await workspace.remove();
    }
  });
});
