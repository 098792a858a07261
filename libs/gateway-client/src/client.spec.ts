import type { FunctionDeployment } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DoubleProvider, type GatewayDouble, startGatewayDouble } from '../../../test/gateway-double';
import { createGatewayClient } from './client';
import { isFaasNetesCe } from './system-info';
import type { GatewayClientOptions } from './types';

const AUTH = { username: 'admin', password: 'gateway-pass-7731' };
const FAST = { attempts: 3, baseDelayMs: 1 };

let double: GatewayDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function start(provider: DoubleProvider, behaviour = {}): Promise<GatewayDouble> {
  double = await startGatewayDouble({ provider, ...AUTH, behaviour });
  return double;
}

function client(gw: GatewayDouble, options: Partial<GatewayClientOptions> = {}) {
  return createGatewayClient({ url: gw.url, auth: AUTH, retry: FAST, ...options });
}

async function caught(promise: Promise<unknown>): Promise<HomefaasError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HomefaasError) return error;
    throw error;
  }
  throw new Error('expected a HomefaasError');
}

/** method, path and status of each recorded request: the sequence a test asserts. */
const sequence = (gw: GatewayDouble) => gw.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

function deployment(image: string, service = 'hello'): FunctionDeployment {
  return {
    service,
    image,
    envVars: { GREETING: 'hi' },
    constraints: [],
    secrets: ['api-key'],
    labels: { 'com.openfaas.scale.min': '1' },
    annotations: {},
    limits: { memory: '128Mi' },
    readOnlyRootFilesystem: true,
  };
}

const PUBLIC_IMAGE = 'ghcr.io/acme/hello:1';

describe.each([
  ['faasd', 200],
  ['faas-netes-ce', 202],
] as const)('against %s', (provider, accepted) => {
  it('reads /system/info and tells faas-netes CE apart', async () => {
    const gw = await start(provider);
    const info = await client(gw).info();
    expect(info.provider.provider).toBe(provider === 'faasd' ? 'faasd-ce' : 'faas-netes-ce');
    expect(info.provider.orchestration).toBe(provider === 'faasd' ? 'containerd' : 'kubernetes');
    expect(isFaasNetesCe(info)).toBe(provider === 'faas-netes-ce');
    expect(gw.requests[0]?.authorized).toBe(true);
  });

  it('checks /healthz without credentials', async () => {
    const gw = await start(provider);
    expect(await createGatewayClient({ url: gw.url, retry: FAST }).health()).toBe(true);
    expect(sequence(gw)).toEqual(['GET /healthz 200']);
  });

  it('creates a missing function: PUT answers 404, then POST', async () => {
    const gw = await start(provider);
    const body = deployment(PUBLIC_IMAGE);
    expect(await client(gw).deploy(body)).toEqual({ method: 'POST', status: accepted });
    expect(sequence(gw)).toEqual(['PUT /system/functions 404', `POST /system/functions ${accepted}`]);
    expect(gw.requests.map((r) => r.body)).toEqual([body, body]);
    expect(gw.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('updates an existing function with one PUT, and reads it back', async () => {
    const gw = await start(provider);
    const gateway = client(gw);
    await gateway.deploy(deployment(PUBLIC_IMAGE));
    gw.requests.length = 0;
    expect(await gateway.deploy(deployment('ghcr.io/acme/hello:2'))).toEqual({
      method: 'PUT',
      status: accepted,
    });
    expect(sequence(gw)).toEqual([`PUT /system/functions ${accepted}`]);
    const status = await gateway.getFunction('hello');
    expect(status).toMatchObject({
      name: 'hello',
      image: 'ghcr.io/acme/hello:2',
      namespace: 'openfaas-fn',
      envVars: { GREETING: 'hi' },
    });
  });

  it('answers undefined for a function the gateway does not have', async () => {
    const gw = await start(provider);
    expect(await client(gw).getFunction('nope', 'team-a')).toBeUndefined();
    expect(gw.requests.map((r) => [r.path, r.query, r.status])).toEqual([
      ['/system/function/nope', { namespace: 'team-a' }, 404],
    ]);
  });

  it('creates a secret, then updates it when POST answers 409', async () => {
    const gw = await start(provider);
    const gateway = client(gw);
    expect(await gateway.upsertSecret({ name: 'api-key', value: 'v1' })).toBe('created');
    expect(await gateway.upsertSecret({ name: 'api-key', value: 'v2' })).toBe('updated');
    expect(sequence(gw)).toEqual([
      `POST /system/secrets ${accepted}`,
      'POST /system/secrets 409',
      `PUT /system/secrets ${accepted}`,
    ]);
    expect(gw.requests.map((r) => r.body)).toEqual([
      { name: 'api-key', value: 'v1' },
      { name: 'api-key', value: 'v2' },
      { name: 'api-key', value: 'v2' },
    ]);
    expect(gw.secrets.get('openfaas-fn/api-key')?.value).toBe('v2');
    expect(await gateway.listSecrets()).toEqual(['api-key']);
    expect(await gateway.listSecrets('team-a')).toEqual([]);
  });

  it('waits until a replica is available, reporting each poll', async () => {
    const gw = await start(provider, { readyAfterPolls: 3 });
    const gateway = client(gw);
    await gateway.deploy(deployment(PUBLIC_IMAGE));
    const seen: Array<number | undefined> = [];
    const status = await gateway.waitForReady('hello', {
      timeoutMs: 5_000,
      intervalMs: 5,
      onProgress: (s) => seen.push(s?.availableReplicas),
    });
    expect(status.availableReplicas).toBe(1);
    expect(seen).toEqual([0, 0, 1]);
  });

  it('gives up waiting after the timeout and says what it last saw', async () => {
    const gw = await start(provider, { neverReady: true });
    // The clock moves only by the client's sleeps, so the number of polls does not depend on the machine's speed.
    vi.useFakeTimers({ toFake: ['Date'] });
    const sleeps: number[] = [];
    const gateway = client(gw, {
      sleep: async (ms) => {
        sleeps.push(ms);
        vi.setSystemTime(Date.now() + ms);
      },
    });
    try {
      await gateway.deploy(deployment(PUBLIC_IMAGE));
      const error = await caught(gateway.waitForReady('hello', { timeoutMs: 150, intervalMs: 20 }));
      expect(error.code).toBe('ERR_GATEWAY_NOT_READY');
      expect(error.message).toBe(
        `Function hello was not ready after 150 ms (last seen: replicas 1, availableReplicas 0, image ${PUBLIC_IMAGE})`,
      );
    } finally {
      vi.useRealTimers();
    }
    // Polls at 0, 20, ... 140 ms: the next one, at 160 ms, would be past the deadline.
    expect(sleeps).toEqual(Array(7).fill(20));
    expect(gw.requests.filter((r) => r.path === '/system/function/hello')).toHaveLength(8);
  });

  it('reports 401 as ERR_GATEWAY_AUTH without retrying and without the password', async () => {
    const gw = await start(provider);
    const error = await caught(client(gw, { auth: { username: 'admin', password: 'wrong-pass-9' } }).info());
    expect(error.code).toBe('ERR_GATEWAY_AUTH');
    expect(error.message).toBe(
      `Gateway answered 401 to GET ${gw.url}/system/info: the credentials were refused`,
    );
    expect(error.hint).toContain('OPENFAAS_USERNAME');
    expect(error.hint).toContain('faas-cli login');
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-pass-9');
    expect(sequence(gw)).toEqual(['GET /system/info 401']);
  });

  it('refuses more than 15 functions with the gateway answer, without retrying', async () => {
    const gw = await start(provider);
    const gateway = client(gw);
    for (let i = 0; i < 15; i += 1) await gateway.deploy(deployment(PUBLIC_IMAGE, `fn-${i}`));
    gw.requests.length = 0;
    const error = await caught(gateway.deploy(deployment(PUBLIC_IMAGE, 'fn-15')));
    expect(error.code).toBe('ERR_GATEWAY_REJECTED');
    expect(error.message).toBe(
      'Gateway answered 400 to POST /system/functions for fn-15: the Community Edition license agreement only allows 15 functions',
    );
    expect(sequence(gw)).toEqual(['PUT /system/functions 404', 'POST /system/functions 400']);
  });

  it('names a POST that finds the function already there (created between PUT and POST)', async () => {
    const gw = await start(provider);
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      // Another deploy creates the function right after our PUT was told it does not exist.
      if (init?.method === 'PUT')
        await client(gw)
          .deploy(deployment(PUBLIC_IMAGE))
          .catch(() => undefined);
      return response;
    };
    const error = await caught(client(gw, { fetch: racing }).deploy(deployment(PUBLIC_IMAGE)));
    expect(error.code).toBe('ERR_GATEWAY_FUNCTION_EXISTS');
    const posts = gw.requests.filter((r) => r.method === 'POST');
    // The racing deploy's POST succeeded; ours was refused once, and not retried even where it is a 500.
    expect(posts.map((r) => r.status)).toEqual([accepted, provider === 'faasd' ? 400 : 500]);
  });
});

describe('provider differences', () => {
  it('faas-netes CE: a private-registry image is refused with a plain explanation, once', async () => {
    const gw = await start('faas-netes-ce');
    const error = await caught(client(gw).deploy(deployment('docker-registry.home.lan:5000/hello:latest')));
    expect(error.code).toBe('ERR_GATEWAY_PUBLIC_IMAGES_ONLY');
    expect(error.message).toContain('Community Edition on Kubernetes deploys public images only');
    expect(error.hint).toContain('faasd');
    expect(sequence(gw)).toEqual(['PUT /system/functions 400']);
  });

  it('faasd: the same private-registry image deploys', async () => {
    const gw = await start('faasd');
    expect(await client(gw).deploy(deployment('docker-registry.home.lan:5000/hello:latest'))).toEqual({
      method: 'POST',
      status: 200,
    });
  });

  it('faas-netes CE: a PUT that fails its check answers 200 and changes nothing (read back to notice)', async () => {
    const gw = await start('faas-netes-ce');
    const gateway = client(gw);
    await gateway.deploy(deployment('ghcr.io/acme/hello:1'));
    gw.behaviour.silentPutFailure = true;
    gw.requests.length = 0;
    expect(await gateway.deploy(deployment('ghcr.io/acme/hello:2'))).toEqual({ method: 'PUT', status: 200 });
    expect((await gateway.getFunction('hello'))?.image).toBe('ghcr.io/acme/hello:1');
    expect(sequence(gw)).toEqual(['PUT /system/functions 200', 'GET /system/function/hello 200']);
  });

  it('faasd: a PUT that fails its check answers 500 and removes the function; the retry recreates it', async () => {
    const gw = await start('faasd');
    const gateway = client(gw);
    await gateway.deploy(deployment('ghcr.io/acme/hello:1'));
    gw.behaviour.silentPutFailure = true;
    gw.requests.length = 0;
    expect(await gateway.deploy(deployment('ghcr.io/acme/hello:2'))).toEqual({ method: 'POST', status: 200 });
    expect(sequence(gw)).toEqual([
      'PUT /system/functions 500',
      'PUT /system/functions 404',
      'POST /system/functions 200',
    ]);
    expect(gw.functions.get('hello')?.image).toBe('ghcr.io/acme/hello:2');
  });

  it('reports a function whose image differs as what the gateway says (the deployer compares)', async () => {
    const gw = await start('faasd', { imageOverride: 'ghcr.io/acme/other:9' });
    const gateway = client(gw);
    await gateway.deploy(deployment(PUBLIC_IMAGE));
    expect((await gateway.getFunction('hello'))?.image).toBe('ghcr.io/acme/other:9');
  });
});
