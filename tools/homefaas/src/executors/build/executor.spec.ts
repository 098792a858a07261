import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestWorkspace, type TestWorkspace } from '../../test-support/build-workspace';
import buildExecutor from './executor';

function contextFor(root: string, name: string): ExecutorContext {
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName: name,
    projectsConfigurations: { version: 2, projects: { [name]: { root: `functions/${name}` } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  };
}

describe('build executor', () => {
  let ws: TestWorkspace | undefined;
  afterEach(async () => {
    await ws?.remove();
  });

  it('writes dist/functions/<name> from the project, and reports success', async () => {
    ws = await createTestWorkspace({
      'functions/shop/package.json': '{"name":"shop"}',
      'functions/shop/src/main.ts': 'export default () => "ok";',
    });
    const result = await buildExecutor({ handler: 'src/main.ts' }, contextFor(ws.root, 'shop'));
    expect(result).toEqual({ success: true });
    expect(await readdir(join(ws.root, 'dist/functions/shop'))).toEqual(['Dockerfile', 'index.js']);
  });

  it('fails without throwing when the handler does not exist', async () => {
    ws = await createTestWorkspace({ 'functions/empty/package.json': '{"name":"empty"}' });
    expect(await buildExecutor({}, contextFor(ws.root, 'empty'))).toEqual({ success: false });
  });
});
