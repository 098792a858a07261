import { afterEach, describe, expect, it } from 'vitest';
import { type DoubleProvider, type GatewayDouble, isPublicImage, startGatewayDouble } from './index';

const AUTH = `Basic ${Buffer.from('admin:pw').toString('base64')}`;
let double: GatewayDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function start(provider: DoubleProvider) {
  double = await startGatewayDouble({ provider, username: 'admin', password: 'pw' });
  return double;
}

async function call(gw: GatewayDouble, method: string, path: string, body?: unknown, auth = AUTH) {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The status table of OpenFaaS's providers, as the double must reproduce it. */
const TABLE = {
  faasd: { ok: 200, postExists: 400, putMissing: 404, deleteMissing: 404, privateImage: 200, failedPut: 500 },
  'faas-netes-ce': {
    ok: 202,
    postExists: 500,
    putMissing: 404,
    deleteMissing: 404,
    privateImage: 400,
    failedPut: 200,
  },
} as const;

describe.each(['faasd', 'faas-netes-ce'] as const)('%s double', (provider) => {
  const row = TABLE[provider];

  it('answers 401 with the Basic realm and "invalid credentials" without the right password', async () => {
    const gw = await start(provider);
    const answer = await call(
      gw,
      'GET',
      '/system/functions',
      undefined,
      `Basic ${Buffer.from('admin:nope').toString('base64')}`,
    );
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Restricted"');
    expect(answer.text.trim()).toBe('invalid credentials');
    expect(gw.requests[0]).toMatchObject({ authorized: false, status: 401 });
    expect(gw.requests[0]?.headers.authorization).toBe('<redacted>');
  });

  it('leaves /healthz open', async () => {
    const gw = await start(provider);
    expect((await call(gw, 'GET', '/healthz', undefined, '')).status).toBe(200);
  });

  it('reports its provider in /system/info', async () => {
    const gw = await start(provider);
    const info = JSON.parse((await call(gw, 'GET', '/system/info')).text);
    expect(info.provider).toMatchObject(
      provider === 'faasd'
        ? { provider: 'faasd-ce', orchestration: 'containerd' }
        : { provider: 'faas-netes-ce', orchestration: 'kubernetes' },
    );
    expect(info.arch).toBe('x86_64');
  });

  it('follows the status table for create, update and delete', async () => {
    const gw = await start(provider);
    const fn = { service: 'a', image: 'ghcr.io/acme/a:1' };
    expect((await call(gw, 'PUT', '/system/functions', fn)).status).toBe(row.putMissing);
    expect((await call(gw, 'POST', '/system/functions', fn)).status).toBe(row.ok);
    const exists = await call(gw, 'POST', '/system/functions', fn);
    expect(exists.status).toBe(row.postExists);
    expect(exists.text).toMatch(/already exists/);
    expect((await call(gw, 'PUT', '/system/functions', { ...fn, image: 'ghcr.io/acme/a:2' })).status).toBe(
      row.ok,
    );
    const status = JSON.parse((await call(gw, 'GET', '/system/function/a')).text);
    expect(status).toMatchObject({
      name: 'a',
      image: 'ghcr.io/acme/a:2',
      namespace: 'openfaas-fn',
      replicas: 1,
      availableReplicas: 1,
    });
    expect(JSON.parse((await call(gw, 'GET', '/system/functions')).text)).toHaveLength(1);
    expect((await call(gw, 'DELETE', '/system/functions', { functionName: 'a' })).status).toBe(row.ok);
    expect((await call(gw, 'DELETE', '/system/functions', { functionName: 'a' })).status).toBe(
      row.deleteMissing,
    );
    expect((await call(gw, 'GET', '/system/function/a')).status).toBe(404);
  });

  it('handles an image that needs registry credentials as the provider does', async () => {
    const gw = await start(provider);
    const answer = await call(gw, 'POST', '/system/functions', {
      service: 'a',
      image: 'docker-registry.home.lan:5000/a:1',
    });
    expect(answer.status).toBe(row.privateImage);
    if (provider === 'faas-netes-ce') expect(answer.text).toContain('only allows public images');
  });

  it('handles a PUT that fails its check as the provider does', async () => {
    const gw = await start(provider);
    await call(gw, 'POST', '/system/functions', { service: 'a', image: 'ghcr.io/acme/a:1' });
    gw.behaviour.silentPutFailure = true;
    const answer = await call(gw, 'PUT', '/system/functions', { service: 'a', image: 'ghcr.io/acme/a:2' });
    expect(answer.status).toBe(row.failedPut);
    if (provider === 'faas-netes-ce') {
      expect(answer.text).toBe('');
      expect(gw.functions.get('a')?.image).toBe('ghcr.io/acme/a:1');
    } else {
      expect(gw.functions.has('a')).toBe(false);
    }
  });

  it('refuses a 16th function with 400', async () => {
    const gw = await start(provider);
    for (let i = 0; i < 15; i += 1) {
      expect(
        (await call(gw, 'POST', '/system/functions', { service: `f${i}`, image: 'ghcr.io/acme/a:1' })).status,
      ).toBe(row.ok);
    }
    expect(
      (await call(gw, 'POST', '/system/functions', { service: 'f15', image: 'ghcr.io/acme/a:1' })).status,
    ).toBe(400);
  });

  it('answers 409 to POST of an existing secret and never lists values', async () => {
    const gw = await start(provider);
    expect((await call(gw, 'POST', '/system/secrets', { name: 's', value: 'v' })).status).toBe(row.ok);
    expect((await call(gw, 'POST', '/system/secrets', { name: 's', value: 'v' })).status).toBe(409);
    expect((await call(gw, 'PUT', '/system/secrets', { name: 'x', value: 'v' })).status).toBe(404);
    expect(JSON.parse((await call(gw, 'GET', '/system/secrets')).text)).toEqual([
      { name: 's', namespace: 'openfaas-fn' },
    ]);
  });

  it('answers 503 for the first failWith5xx requests, then normally', async () => {
    const gw = await start(provider);
    gw.behaviour.failWith5xx = 1;
    expect((await call(gw, 'GET', '/system/info')).status).toBe(503);
    expect((await call(gw, 'GET', '/system/info')).status).toBe(200);
  });

  it('makes a function available only after readyAfterPolls reads, and never with neverReady', async () => {
    const gw = await start(provider);
    gw.behaviour.readyAfterPolls = 2;
    await call(gw, 'POST', '/system/functions', { service: 'a', image: 'ghcr.io/acme/a:1' });
    const available = async () =>
      JSON.parse((await call(gw, 'GET', '/system/function/a')).text).availableReplicas;
    expect([await available(), await available(), await available()]).toEqual([0, 1, 1]);
    gw.behaviour.neverReady = true;
    expect(await available()).toBe(0);
  });
});

describe('isPublicImage', () => {
  it.each([
    ['node:22-alpine', true],
    ['functions/alpine:latest', true],
    ['docker.io/library/node:22', true],
    ['ghcr.io/openfaas/of-watchdog:0.10.9', true],
    ['docker-registry.home.lan:5000/hello:latest', false],
    ['localhost/hello', false],
    ['localhost:5000/hello', false],
    ['reg.lab/hello', false],
  ])('%s → %s', (image, expected) => {
    expect(isPublicImage(image)).toBe(expected);
  });
});
