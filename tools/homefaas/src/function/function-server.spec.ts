import { join } from 'node:path';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port';
import { createTestWorkspace, type TestWorkspace } from '../test-support/build-workspace';
import { resolveFunctionBundle } from './function-project';
import { type FunctionServer, startFunctionServer } from './function-server';

const handlerSource = (greeting: string) =>
  [
    "import { greeting } from '@demo/words';",
    "import type { Handler } from '@homefaas/node22-ts';",
    `export default (async (event) => ({ text: greeting + ' ' + ${JSON.stringify(greeting)}, env: process.env.GREETING_STYLE, method: event.method })) satisfies Handler;`,
  ].join('\n');

async function text(url: string): Promise<string> {
  return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('condition not met in time');
}

describe('startFunctionServer', () => {
  let ws: TestWorkspace | undefined;
  let server: FunctionServer | undefined;

  afterEach(async () => {
    await server?.stop();
    await ws?.remove();
    server = undefined;
    ws = undefined;
  });

  async function start(port: number, logger = createMemoryLogger()) {
    ws = await createTestWorkspace({
      'libs/words/package.json': JSON.stringify({ name: '@demo/words', main: 'src/index.ts' }),
      'libs/words/src/index.ts': "export const greeting = 'hello';",
      'functions/demo/package.json': JSON.stringify({ name: 'demo' }),
      'functions/demo/src/handler.ts': handlerSource('v1'),
    });
    const bundle = resolveFunctionBundle(
      { name: 'demo', workspaceRoot: ws.root, projectDir: join(ws.root, 'functions/demo') },
      {},
    );
    server = await startFunctionServer(
      { bundle, port, environment: { GREETING_STYLE: 'plain' }, baseEnv: process.env },
      { logger },
    );
    return { ws, server, logger };
  }

  it('serves the function on the port with its stack environment, and restarts after a change', async () => {
    const port = await freePort();
    const { ws, server, logger } = await start(port);
    expect(server.url).toBe(`http://127.0.0.1:${port}/`);
    expect(JSON.parse(await text(server.url))).toEqual({ text: 'hello v1', env: 'plain', method: 'GET' });
    expect(server.starts).toBe(1);

    await ws.write('functions/demo/src/handler.ts', handlerSource('v2'));
    await eventually(async () => JSON.parse(await text(server.url)).text === 'hello v2');
    expect(server.starts).toBe(2);

    // A change in a workspace lib the function imports restarts it too.
    await ws.write('libs/words/src/index.ts', "export const greeting = 'howdy';");
    await eventually(async () => JSON.parse(await text(server.url)).text === 'howdy v2');
    expect(server.starts).toBe(3);
    expect(logger.lines).toContain('↻ demo changed, restarting');
    expect(logger.lines.some((line) => line.startsWith('[demo] GET / 200'))).toBe(true);
  });

  it('keeps the running version when a change does not bundle, and picks up the fix', async () => {
    const port = await freePort();
    const { ws, server, logger } = await start(port);
    await ws.write('functions/demo/src/handler.ts', 'export default () => {');
    await eventually(async () => logger.lines.some((line) => line.includes('does not bundle')));
    expect(JSON.parse(await text(server.url)).text).toBe('hello v1');
    expect(server.starts).toBe(1);
    await ws.write('functions/demo/src/handler.ts', handlerSource('v3'));
    await eventually(async () => JSON.parse(await text(server.url)).text === 'hello v3');
  });

  it('stops the function when stopped', async () => {
    const port = await freePort();
    const { server } = await start(port);
    await server.stop();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('fails to start, naming the port, when the port is taken', async () => {
    const port = await freePort();
    const blocker = (await import('node:net')).createServer().listen(port, '0.0.0.0');
    await new Promise((done) => blocker.once('listening', done));
    try {
      const error = await start(port).catch((caught: unknown) => caught);
      expect(isHomefaasError(error, 'ERR_SERVE_START')).toBe(true);
      expect((error as Error).message).toContain(String(port));
    } finally {
      blocker.close();
    }
  });
});
