import { createServer } from 'node:net';
import { createMemoryLogger, HomefaasError } from '@homefaas/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayDouble, startGatewayDouble } from '../../../test/gateway-double';
import { makeTestPki, type TestPki } from '../../../test/support/openssl-pki';
import { createGatewayClient } from './client';

const AUTH = { username: 'admin', password: 'gateway-pass-7731' };
const FAST = { attempts: 3, baseDelayMs: 1 };

let double: GatewayDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function caught(promise: Promise<unknown>): Promise<HomefaasError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HomefaasError) return error;
    throw error;
  }
  throw new Error('expected a HomefaasError');
}

const sequence = (gw: GatewayDouble) => gw.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('retries', () => {
  it('retries 5xx with backoff, then succeeds', async () => {
    double = await startGatewayDouble({ provider: 'faasd', ...AUTH, behaviour: { failWith5xx: 2 } });
    const logger = createMemoryLogger();
    const delays: number[] = [];
    const gateway = createGatewayClient({
      url: double.url,
      auth: AUTH,
      retry: { attempts: 4, baseDelayMs: 100 },
      logger,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect((await gateway.info()).provider.provider).toBe('faasd-ce');
    expect(sequence(double)).toEqual([
      'GET /system/info 503',
      'GET /system/info 503',
      'GET /system/info 200',
    ]);
    expect(delays).toEqual([100, 200]);
    expect(logger.lines).toEqual([
      `Gateway answered 503 to GET ${double.url}/system/info; retry 1/3 in 100 ms`,
      `Gateway answered 503 to GET ${double.url}/system/info; retry 2/3 in 200 ms`,
    ]);
  });

  it('stops after the bounded attempts with the status and a body excerpt', async () => {
    double = await startGatewayDouble({
      provider: 'faas-netes-ce',
      ...AUTH,
      behaviour: { failWith5xx: 'always', failStatus: 502 },
    });
    const error = await caught(
      createGatewayClient({ url: double.url, auth: AUTH, retry: FAST }).deploy({
        service: 'a',
        image: 'a:1',
      }),
    );
    expect(error.code).toBe('ERR_GATEWAY_HTTP');
    expect(error.message).toBe(
      `Gateway answered 502 to PUT ${double.url}/system/functions after 3 tries: upstream provider unavailable`,
    );
    expect(sequence(double)).toEqual(Array(3).fill('PUT /system/functions 502'));
  });

  it('never retries a 4xx', async () => {
    double = await startGatewayDouble({ provider: 'faas-netes-ce', ...AUTH });
    const error = await caught(
      createGatewayClient({ url: double.url, auth: AUTH, retry: FAST }).deploy({
        service: 'a',
        image: 'reg.lab:5000/a:1',
      }),
    );
    expect(error.code).toBe('ERR_GATEWAY_PUBLIC_IMAGES_ONLY');
    expect(sequence(double)).toEqual(['PUT /system/functions 400']);
  });

  it('retries connection errors, then reports the gateway unreachable with a hint', async () => {
    const port = await closedPort();
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls += 1;
      return fetch(input, init);
    };
    const error = await caught(
      createGatewayClient({
        url: `http://127.0.0.1:${port}/`,
        auth: AUTH,
        retry: FAST,
        fetch: counting,
      }).info(),
    );
    expect(error.code).toBe('ERR_GATEWAY_UNREACHABLE');
    expect(error.message).toBe(
      `Cannot reach the gateway: GET http://127.0.0.1:${port}/system/info failed: ECONNREFUSED`,
    );
    expect(error.hint).toContain('OPENFAAS_URL');
    expect(error.hint).toContain('provider.gateway');
    expect(calls).toBe(3);
  });
});

describe('gateway URL', () => {
  it.each([
    [
      'credentials in it',
      'https://admin:url-pass-1@gw.lab:8080',
      'must not contain credentials (gw.lab:8080)',
    ],
    ['no scheme', 'gw.lab:8080', 'is not http:// or https://'],
    ['not a URL', 'not a url', 'is not a URL'],
  ])('refuses %s before any request', (_name, url, text) => {
    let caught: unknown;
    try {
      createGatewayClient({ url });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HomefaasError);
    expect((caught as HomefaasError).code).toBe('ERR_GATEWAY_URL');
    expect((caught as HomefaasError).message).toContain(text);
    expect((caught as HomefaasError).message).not.toContain('url-pass-1');
  });
});

describe('secrets stay out of messages', () => {
  it('removes the secret value and the password from a body the gateway echoes', async () => {
    const echo: typeof fetch = async (_input, init) =>
      new Response(`refused ${String(init?.body)} for ${AUTH.password}`, { status: 400 });
    const error = await caught(
      createGatewayClient({ url: 'http://127.0.0.1:9', auth: AUTH, retry: FAST, fetch: echo }).upsertSecret({
        name: 'db',
        value: 'top-secret-value-42',
      }),
    );
    expect(error.code).toBe('ERR_GATEWAY_REJECTED');
    expect(error.message).toBe(
      'Gateway answered 400 to POST /system/secrets for secret db: refused {"name":"db","value":"***"} for ***',
    );
  });
});

describe('TLS with a private CA made by openssl', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });

  async function startTls() {
    double = await startGatewayDouble({
      provider: 'faasd',
      ...AUTH,
      tls: { certPem: pki.certPem, keyPem: pki.keyPem },
    });
    return double;
  }

  it('trusts the gateway when given the CA that signed it', async () => {
    const gw = await startTls();
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const info = await createGatewayClient({ url: gw.url, auth: AUTH, ca: pki.caPem, retry: FAST }).info();
    expect(info.provider.provider).toBe('faasd-ce');
    const byName = await createGatewayClient({
      url: gw.url.replace('127.0.0.1', 'localhost'),
      auth: AUTH,
      ca: pki.caPem,
    }).health();
    expect(byName).toBe(true);
  });

  it('refuses the gateway without the CA, at once and before sending anything', async () => {
    const gw = await startTls();
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls += 1;
      return fetch(input, init);
    };
    const error = await caught(
      createGatewayClient({ url: gw.url, auth: AUTH, retry: FAST, fetch: counting }).info(),
    );
    expect(error.code).toBe('ERR_GATEWAY_TLS');
    expect(error.message).toBe(
      `The gateway certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE) on GET ${gw.url}/system/info`,
    );
    expect(error.hint).toContain('Pass the CA');
    expect(calls).toBe(1);
    expect(gw.requests).toEqual([]);
  });

  it('ignores the CA for a plain-HTTP gateway', async () => {
    double = await startGatewayDouble({ provider: 'faasd', ...AUTH });
    const info = await createGatewayClient({
      url: double.url,
      auth: AUTH,
      ca: pki.caPem,
      retry: FAST,
    }).info();
    expect(info.provider.provider).toBe('faasd-ce');
  });

  it('refuses the gateway when given a CA that did not sign it', async () => {
    const gw = await startTls();
    const error = await caught(
      createGatewayClient({ url: gw.url, auth: AUTH, ca: pki.otherCaPem, retry: FAST }).info(),
    );
    expect(error.code).toBe('ERR_GATEWAY_TLS');
    expect(error.hint).toContain('The CA given does not sign the gateway certificate');
    expect(gw.requests).toEqual([]);
  });
});
