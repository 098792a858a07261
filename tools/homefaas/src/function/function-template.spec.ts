import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port';
import { PLUGIN_PACKAGE_NAME, pluginRoot } from '../common/plugin-package';
import { createTestWorkspace, runBundle, WORKSPACE_ROOT } from '../test-support/build-workspace';
import { bundleFunction } from './function-bundle';
import { resolveFunctionBundle } from './function-project';
import { knownTemplates, packagedTemplatesDir, resolveTemplateDir } from './function-template';

let scratch: string;
let workspace: string;
let packaged: string;

async function template(dir: string, lang: string): Promise<string> {
  const folder = join(dir, lang);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'Dockerfile'), `FROM scratch # ${lang}\n`);
  return folder;
}

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'homefaas-template-'));
  workspace = join(scratch, 'ws');
  packaged = join(scratch, 'plugin/template');
  await mkdir(workspace, { recursive: true });
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('resolveTemplateDir', () => {
  it("takes the workspace's template/<lang> over the plugin's copy", async () => {
    const own = await template(join(workspace, 'template'), 'node22-ts');
    await template(packaged, 'node22-ts');
    expect(resolveTemplateDir(workspace, 'node22-ts', packaged)).toBe(own);
  });

  it("takes the plugin's copy when the workspace has no template of that lang", async () => {
    await template(join(workspace, 'template'), 'other');
    const shipped = await template(packaged, 'node22-ts');
    expect(resolveTemplateDir(workspace, 'node22-ts', packaged)).toBe(shipped);
  });

  it("names the workspace's path when neither has it, so errors point where a template would go", () => {
    expect(resolveTemplateDir(workspace, 'python3', packaged)).toBe(join(workspace, 'template/python3'));
  });

  it("lists the workspace's and the plugin's templates once each, only folders with a Dockerfile", async () => {
    await template(join(workspace, 'template'), 'node22-ts');
    await template(join(workspace, 'template'), 'mine');
    await mkdir(join(workspace, 'template/empty'));
    await template(packaged, 'node22-ts');
    expect(knownTemplates(workspace, packaged)).toEqual(['mine', 'node22-ts']);
  });
});

describe('the plugin package', () => {
  it('is found from the module itself: tools/homefaas here, with its templates under template/', async () => {
    expect(pluginRoot()).toBe(resolve(WORKSPACE_ROOT, 'tools/homefaas'));
    const manifest = JSON.parse(await readFile(join(pluginRoot(), 'package.json'), 'utf8'));
    expect(manifest.name).toBe(PLUGIN_PACKAGE_NAME);
    expect(packagedTemplatesDir()).toBe(join(pluginRoot(), 'template'));
  });
});

describe('a function of a workspace without template/', () => {
  it("bundles with the plugin's template: the runtime resolves from there, not from the workspace", async () => {
    const ws = await createTestWorkspace({
      'functions/f/package.json': '{"name":"f"}',
      'functions/f/src/handler.ts': "export default () => ({ answer: 'from f' });",
    });
    try {
      // The test workspace links the real template in; take it away, as in a workspace that never had one.
      await rm(join(ws.root, 'template'), { recursive: true });
      const templateDir = resolveTemplateDir(ws.root, 'node22-ts', join(WORKSPACE_ROOT, 'template'));
      expect(templateDir).toBe(join(WORKSPACE_ROOT, 'template/node22-ts'));
      const bundle = resolveFunctionBundle(
        { name: 'f', workspaceRoot: ws.root, projectDir: join(ws.root, 'functions/f') },
        {},
      );
      const out = join(ws.root, 'dist/functions/f');
      const result = await bundleFunction({ ...bundle, templateDir }, out);
      expect(result.files).toEqual(['Dockerfile', 'index.js']);
      const port = await freePort();
      const running = await runBundle(join(out, 'index.js'), port);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        expect(await response.json()).toEqual({ answer: 'from f' });
      } finally {
        await running.stop();
      }
    } finally {
      await ws.remove();
    }
  });
});
