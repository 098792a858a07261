import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from './engine';
import { defaultEngineSocket, engineGet } from './engine-socket';
import recorded from './fixtures/registry-inspect.json';

// A stand-in Engine API on a unix socket, answering with a recorded `docker inspect`.
let dir: string;
let socketPath: string;
let server: Server;
const seen: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-engine-socket-'));
  socketPath = join(dir, 'docker.sock');
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    if (request.url === '/_ping') return void response.end('OK');
    if (request.url === '/containers/docker-registry/json') {
      response.setHeader('content-type', 'application/json');
      return void response.end(JSON.stringify(recorded));
    }
    if (request.url === '/containers/broken/json') {
      response.statusCode = 500;
      return void response.end('{"message":"something broke"}');
    }
    response.statusCode = 404;
    response.end('{"message":"No such container"}');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('defaultEngineSocket', () => {
  it.each([
    [{ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, '/run/user/1000/docker.sock'],
    [{ DOCKER_HOST: 'tcp://10.0.0.2:2376' }, undefined],
    [{ DOCKER_HOST: 'ssh://me@box' }, undefined],
  ])('%o → %s', (env, expected) => {
    expect(defaultEngineSocket(env)).toBe(expected);
  });

  it('falls back to /var/run/docker.sock like dockerode when DOCKER_HOST is unset', () => {
    expect(['/var/run/docker.sock', join(process.env.HOME ?? '', '.docker/run/docker.sock')]).toContain(
      defaultEngineSocket({}),
    );
  });
});

describe('the read-only probes over the socket', () => {
  it('GETs a path and returns status and body', async () => {
    expect(await engineGet(socketPath, '/_ping')).toEqual({ status: 200, body: 'OK' });
  });

  it('inspects a container into its state, and a missing one into undefined', async () => {
    const engine = createEngine({ socketPath });
    await engine.ping();
    const state = await engine.inspectContainer('docker-registry');
    expect(state).toMatchObject({
      name: 'docker-registry',
      image: 'registry:2',
      running: true,
      networkMode: 'host',
    });
    expect(await engine.inspectContainer('nothing')).toBeUndefined();
    expect(seen).toContain('GET /containers/nothing/json');
  });

  it("words the daemon's error", async () => {
    const error = await createEngine({ socketPath })
      .inspectContainer('broken')
      .catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_DOCKER_API')).toBe(true);
    expect((error as Error).message).toBe('Docker could not inspect container broken: something broke');
  });

  it('says how to start Docker when nothing listens on the socket', async () => {
    const missing = join(dir, 'missing.sock');
    const error = await createEngine({ socketPath: missing })
      .ping()
      .catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_DOCKER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe(`The Docker daemon does not answer at ${missing} (ENOENT).`);
    expect((error as { hint: string }).hint).toContain('sudo systemctl start docker');
  });
});
