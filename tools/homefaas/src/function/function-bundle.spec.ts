import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port';
import {
  createTestWorkspace,
  runBundle,
  type TestWorkspace,
  WORKSPACE_ROOT,
} from '../test-support/build-workspace';
import { bundleFunction } from './function-bundle';
import { resolveFunctionBundle } from './function-project';

const hello = resolveFunctionBundle(
  {
    name: 'hello-world',
    workspaceRoot: WORKSPACE_ROOT,
    projectDir: join(WORKSPACE_ROOT, 'functions/hello-world'),
  },
  {},
);

describe('bundleFunction', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'homefaas-bundle-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('writes hello-world as a build context whose bundle runs on its own and answers', async () => {
    const dir = join(out, 'hello');
    const result = await bundleFunction(hello, dir);
    expect(result.files).toEqual(['Dockerfile', 'index.js']);
    expect(await readdir(dir)).toEqual(['Dockerfile', 'index.js']);
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe(
      await readFile(join(WORKSPACE_ROOT, 'template/node22-ts/Dockerfile'), 'utf8'),
    );
    // Inlined: the runtime and the greeting lib, not left as require()s of workspace packages.
    const bundle = await readFile(join(dir, 'index.js'), 'utf8');
    expect(bundle).not.toMatch(/require\("@homefaas\//);
    expect(bundle).toContain('// libs/greeting/src/greet.ts');

    const port = await freePort();
    const running = await runBundle(join(dir, 'index.js'), port);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/?name=Ada`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ message: 'Hello, Ada!' });
    } finally {
      await running.stop();
    }
  });

  it('is byte-identical for the same sources, and holds no absolute path of this machine', async () => {
    await bundleFunction(hello, join(out, 'a'));
    await bundleFunction(hello, join(out, 'b'));
    const a = await readFile(join(out, 'a', 'index.js'));
    const b = await readFile(join(out, 'b', 'index.js'));
    expect(a.equals(b)).toBe(true);
    expect(a.toString()).not.toContain(WORKSPACE_ROOT);
  });

  it('empties the output folder first, so nothing stale reaches the image', async () => {
    const dir = join(out, 'stale');
    const ws = await createTestWorkspace({
      'functions/f/package.json': '{"name":"f"}',
      'functions/f/src/handler.ts': 'export default () => "ok";',
    });
    try {
      const bundle = resolveFunctionBundle(
        { name: 'f', workspaceRoot: ws.root, projectDir: join(ws.root, 'functions/f') },
        {},
      );
      await bundleFunction({ ...bundle, external: [] }, dir);
      await ws.write('node_modules/native-thing/package.json', '{"name":"native-thing","version":"1.0.0"}');
      await bundleFunction({ ...bundle, external: ['native-thing'] }, dir);
      expect(await readdir(dir)).toContain('package.json');
      await bundleFunction({ ...bundle, external: [] }, dir);
      expect(await readdir(dir)).toEqual(['Dockerfile', 'index.js']);
    } finally {
      await ws.remove();
    }
  });
});

describe('bundleFunction in a workspace nobody ran npm install in', () => {
  let ws: TestWorkspace;
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'homefaas-bundle-ws-'));
    ws = await createTestWorkspace({
      'libs/shout/package.json': JSON.stringify({ name: '@demo/shout', main: 'src/index.ts' }),
      'libs/shout/src/index.ts': "export const shout = (text: string): string => text.toUpperCase() + '!';",
      'libs/shout/src/extra.ts': 'export const whisper = (text: string): string => text.toLowerCase();',
      'functions/loud/package.json': JSON.stringify({
        name: 'loud',
        dependencies: { 'native-thing': '^2.0.0' },
      }),
      'functions/loud/src/handler.ts': [
        "import { shout } from '@demo/shout';",
        "import { whisper } from '@demo/shout/src/extra';",
        "import type { Handler } from '@homefaas/node22-ts';",
        "export const handler: Handler = (event) => shout(String(event.body)) + ' ' + whisper('QUIET');",
      ].join('\n'),
      // A function whose package name is an npm package's must not shadow that package.
      'functions/left-pad/package.json': JSON.stringify({ name: 'left-pad' }),
      'functions/pads/package.json': JSON.stringify({ name: 'pads' }),
      'functions/pads/src/handler.ts': "import pad from 'left-pad';\nexport default () => pad('x');",
      'node_modules/left-pad/package.json': JSON.stringify({
        name: 'left-pad',
        version: '1.3.0',
        main: 'index.js',
      }),
      'node_modules/left-pad/index.js': "module.exports = (s) => '  ' + s;",
      'node_modules/native-thing/package.json': JSON.stringify({
        name: 'native-thing',
        version: '2.1.0',
        main: 'index.js',
      }),
      'node_modules/native-thing/index.js': 'module.exports = { native: true };',
      'functions/uses-native/package.json': JSON.stringify({ name: 'uses-native' }),
      'functions/uses-native/src/handler.ts':
        "import thing from 'native-thing';\nexport default () => thing;",
      'functions/broken/package.json': JSON.stringify({ name: 'broken' }),
      'functions/broken/src/handler.ts':
        "import { nothing } from './missing';\nexport default () => nothing;",
    });
  });
  afterAll(async () => {
    await ws?.remove();
    await rm(out, { recursive: true, force: true });
  });

  const fn = (name: string, external: string[] = []) =>
    resolveFunctionBundle(
      { name, workspaceRoot: ws.root, projectDir: join(ws.root, 'functions', name) },
      { external },
    );

  it('resolves workspace libs and their subpaths from their folders, not from node_modules links', async () => {
    const dir = join(out, 'loud');
    await bundleFunction(fn('loud'), dir);
    const port = await freePort();
    const running = await runBundle(join(dir, 'index.js'), port);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'hey',
      });
      expect(await response.text()).toBe('HEY! quiet');
    } finally {
      await running.stop();
    }
  });

  it('does not let a function named like an npm package shadow it', async () => {
    await bundleFunction(fn('pads'), join(out, 'pads'));
    expect(await readFile(join(out, 'pads', 'index.js'), 'utf8')).toContain('node_modules/left-pad/index.js');
  });

  it('inlines a dependency by default, and keeps an external one out with a package.json to install it', async () => {
    const inlined = await bundleFunction(fn('uses-native'), join(out, 'inline'));
    expect(inlined.files).toEqual(['Dockerfile', 'index.js']);
    expect(await readFile(join(out, 'inline', 'index.js'), 'utf8')).toContain('native: true');

    const external = await bundleFunction(fn('uses-native', ['native-thing']), join(out, 'external'));
    expect(external.files).toEqual(['Dockerfile', 'index.js', 'package.json']);
    expect(external.external).toEqual(['native-thing@2.1.0']);
    const bundle = await readFile(join(out, 'external', 'index.js'), 'utf8');
    expect(bundle).toContain('require("native-thing")');
    expect(bundle).not.toContain('native: true');
    expect(JSON.parse(await readFile(join(out, 'external', 'package.json'), 'utf8'))).toEqual({
      name: 'uses-native',
      version: '0.0.0',
      private: true,
      dependencies: { 'native-thing': '2.1.0' },
    });
  });

  it("prefers the version range the function's package.json declares", async () => {
    const result = await bundleFunction(fn('loud', ['native-thing']), join(out, 'declared'));
    expect(result.external).toEqual(['native-thing@^2.0.0']);
  });

  it('refuses an external dependency that is neither declared nor installed', async () => {
    const error = await bundleFunction(fn('pads', ['sharp']), join(out, 'unknown')).catch(
      (caught: unknown) => caught,
    );
    expect(isHomefaasError(error, 'ERR_BUILD_EXTERNAL')).toBe(true);
  });

  it("reports esbuild's error with the file, and a missing handler by its path", async () => {
    const error = await bundleFunction(fn('broken'), join(out, 'broken')).catch((caught: unknown) => caught);
    expect(isHomefaasError(error, 'ERR_BUILD_BUNDLE')).toBe(true);
    expect((error as Error).message).toContain('functions/broken/src/handler.ts');
    expect((error as Error).message).toContain('Could not resolve "./missing"');

    const missing = await bundleFunction(fn('nope'), join(out, 'nope')).catch((caught: unknown) => caught);
    expect(isHomefaasError(missing, 'ERR_BUILD_HANDLER')).toBe(true);
  });
});
