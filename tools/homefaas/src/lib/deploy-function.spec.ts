import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedFunction } from '@homefaas/config';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { createGatewayClient } from '@homefaas/gateway-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DoubleBehaviour,
  type DoubleProvider,
  type GatewayDouble,
  startGatewayDouble,
} from '../../../../test/gateway-double';
import { DEPLOYMENT_HASH_ANNOTATION, deploymentFor, ensureDeployed } from './deploy-function';
import type { PublishedImage } from './publish-image';
import type { ResolvedPublish } from './publish-plan';

const PASSWORD = 'gw-pass-7c1e9a';
const REGISTRY = 'docker-registry.home.lan:5000';
const IMAGE: PublishedImage = {
  ref: `${REGISTRY}/hello-world:c-0123456789ab`,
  tag: 'c-0123456789ab',
  pushed: true,
};

let root: string;
let double: GatewayDouble | undefined;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'deploy-'));
});
afterEach(async () => {
  await double?.close();
  double = undefined;
  await rm(root, { recursive: true, force: true });
});

function fn(overrides: Partial<ResolvedFunction> = {}): ResolvedFunction {
  return {
    name: 'hello-world',
    image: `${REGISTRY}/hello-world:latest`,
    environment: { GREETING: 'hi' },
    secrets: [],
    labels: { team: 'home' },
    annotations: {},
    constraints: [],
    readOnlyRootFilesystem: true,
    buildArgs: {},
    buildSecrets: {},
    platforms: ['linux/amd64'],
    skipBuild: false,
    copy: [],
    ...overrides,
  };
}

async function setup(provider: DoubleProvider, behaviour: DoubleBehaviour = {}, password = PASSWORD) {
  double = await startGatewayDouble({ provider, password: PASSWORD, behaviour });
  const resolved = {
    root,
    name: 'hello-world',
    fn: fn(),
    inWorkspaceRegistry: true,
    registry: { address: REGISTRY },
    gateway: { url: double.url, urlSource: 'test', authSource: 'test' },
    secretsDir: join(root, 'infra/secrets'),
    stateDir: join(root, '.homefaas/state'),
    readyTimeoutMs: 3000,
    readyIntervalMs: 20,
    dryRun: false,
  } as unknown as ResolvedPublish;
  const logger = createMemoryLogger();
  const client = createGatewayClient({
    url: double.url,
    auth: { username: 'admin', password },
    retry: { attempts: 2, baseDelayMs: 5 },
    logger,
  });
  return { resolved, logger, client, double };
}

const sequence = (d: GatewayDouble) => d.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe('ensureDeployed against faasd', () => {
  it('creates the function (PUT 404, POST 200), reads it back, waits for a replica; a second run sends nothing', async () => {
    const { resolved, logger, client, double } = await setup('faasd', { readyAfterPolls: 2 });
    await ensureDeployed(resolved, IMAGE, { client, logger });
    expect(sequence(double)).toEqual([
      'GET /system/function/hello-world 404',
      'GET /system/info 200',
      'PUT /system/functions 404',
      'POST /system/functions 200',
      'GET /system/function/hello-world 200',
      'GET /system/function/hello-world 200',
    ]);
    const body = deploymentFor(resolved, IMAGE.ref);
    expect(double.requests[3]?.body).toEqual(body);
    expect(body).toMatchObject({
      service: 'hello-world',
      image: IMAGE.ref,
      envVars: { GREETING: 'hi' },
      labels: { team: 'home' },
      readOnlyRootFilesystem: true,
    });
    expect(body.annotations?.[DEPLOYMENT_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
    expect(logger.lines.some((l) => l.startsWith('↻ deploy: POST'))).toBe(true);
    expect(logger.lines.some((l) => l.startsWith('✔ ready: hello-world has 1 available replica(s)'))).toBe(
      true,
    );

    double.requests.length = 0;
    await ensureDeployed(resolved, IMAGE, { client, logger });
    expect(sequence(double)).toEqual(['GET /system/function/hello-world 200']);
    expect(logger.lines.at(-2)).toMatch(/^✔ deploy: .* already runs .*: deploy skipped$/);
  });

  it('updates with PUT when the image or a stack.yml setting changed', async () => {
    const { resolved, logger, client, double } = await setup('faasd');
    await ensureDeployed(resolved, IMAGE, { client, logger });
    double.requests.length = 0;
    const changed = { ...resolved, fn: fn({ environment: { GREETING: 'hello' } }) } as ResolvedPublish;
    await ensureDeployed(changed, IMAGE, { client, logger });
    expect(sequence(double)).toEqual([
      'GET /system/function/hello-world 200',
      'GET /system/info 200',
      'PUT /system/functions 200',
      'GET /system/function/hello-world 200',
      'GET /system/function/hello-world 200',
    ]);
    expect(double.requests[2]?.body).toMatchObject({ envVars: { GREETING: 'hello' } });
    expect(logger.lines.some((l) => l.includes('its settings in stack.yml changed'))).toBe(true);
  });

  it('sends the secrets from infra/secrets before the deploy (POST, 409 then PUT on a change), and only when needed', async () => {
    const { resolved, logger, client, double } = await setup('faasd');
    const withSecret = { ...resolved, fn: fn({ secrets: ['api-key'] }) } as ResolvedPublish;
    await mkdir(join(root, 'infra/secrets'), { recursive: true });
    await writeFile(join(root, 'infra/secrets/api-key'), 'first-value');
    await ensureDeployed(withSecret, IMAGE, { client, logger });
    expect(sequence(double).slice(0, 4)).toEqual([
      'GET /system/function/hello-world 404',
      'GET /system/info 200',
      'GET /system/secrets 200',
      'POST /system/secrets 200',
    ]);
    expect(double.requests[3]?.body).toEqual({ name: 'api-key', value: 'first-value' });
    expect(double.requests[5]?.path).toBe('/system/functions');

    double.requests.length = 0;
    await ensureDeployed(withSecret, IMAGE, { client, logger });
    expect(sequence(double)).toEqual(['GET /system/function/hello-world 200']);

    double.requests.length = 0;
    await writeFile(join(root, 'infra/secrets/api-key'), 'second-value');
    await ensureDeployed(withSecret, IMAGE, { client, logger });
    expect(sequence(double)).toEqual([
      'GET /system/function/hello-world 200',
      'GET /system/info 200',
      'GET /system/secrets 200',
      'POST /system/secrets 409',
      'PUT /system/secrets 200',
      'PUT /system/functions 200',
      'GET /system/function/hello-world 200',
      'GET /system/function/hello-world 200',
    ]);
    expect(double.secrets.get('openfaas-fn/api-key')?.value).toBe('second-value');
    expect(logger.lines.join('\n')).not.toContain('second-value');
  });

  it('refuses a secret with no local file before deploying anything', async () => {
    const { resolved, logger, client, double } = await setup('faasd');
    const withSecret = { ...resolved, fn: fn({ secrets: ['missing'] }) } as ResolvedPublish;
    const error = await ensureDeployed(withSecret, IMAGE, { client, logger }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_SECRET_FILE_MISSING')).toBe(true);
    expect((error as { hint: string }).hint).toContain('infra/secrets/missing');
    expect(double.requests).toEqual([]);
  });

  it('reports an image that differs after an accepted PUT', async () => {
    const { resolved, logger, client, double } = await setup('faasd');
    await ensureDeployed(resolved, IMAGE, { client, logger });
    double.behaviour.imageOverride = `${REGISTRY}/hello-world:c-ffffffffffff`;
    const next: PublishedImage = {
      ...IMAGE,
      ref: `${REGISTRY}/hello-world:c-aaaaaaaaaaaa`,
      tag: 'c-aaaaaaaaaaaa',
    };
    const error = await ensureDeployed(resolved, next, { client, logger }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_DEPLOY_IMAGE_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(
      `runs ${REGISTRY}/hello-world:c-ffffffffffff, not ${next.ref}`,
    );
  });

  it('recreates a function that faasd removed when its update failed, and confirms it', async () => {
    const { resolved, logger, client, double } = await setup('faasd');
    await ensureDeployed(resolved, IMAGE, { client, logger });
    double.behaviour.silentPutFailure = true;
    double.requests.length = 0;
    const next: PublishedImage = { ...IMAGE, ref: `${REGISTRY}/hello-world:c-aaaaaaaaaaaa` };
    await ensureDeployed(resolved, next, { client, logger });
    // faasd answers 500 and drops the function; the retried PUT finds it missing and POST creates it again.
    expect(sequence(double).slice(2, 5)).toEqual([
      'PUT /system/functions 500',
      'PUT /system/functions 404',
      'POST /system/functions 200',
    ]);
    expect(double.functions.get('hello-world')?.image).toBe(next.ref);
  });

  it('reports a deploy the gateway accepted but then does not list', async () => {
    const { resolved, logger, client } = await setup('faasd');
    let deployed = false;
    // The gateway's answer after the deploy is replaced: as if the provider dropped the function.
    const forgetful = {
      ...client,
      deploy: async (body: Parameters<typeof client.deploy>[0]) => {
        deployed = true;
        return client.deploy(body);
      },
      getFunction: async (name: string, namespace?: string) =>
        deployed ? undefined : client.getFunction(name, namespace),
    };
    const error = await ensureDeployed(resolved, IMAGE, { client: forgetful, logger }).catch(
      (e: unknown) => e,
    );
    expect(isHomefaasError(error, 'ERR_DEPLOY_MISSING')).toBe(true);
    expect((error as Error).message).toContain(
      'accepted POST /system/functions (200) for hello-world, but then does not list the function',
    );
  });

  it('waits, bounded and with progress, and says so when no replica becomes available', async () => {
    const { resolved, logger, client } = await setup('faasd', { neverReady: true });
    const quick = { ...resolved, readyTimeoutMs: 200 } as ResolvedPublish;
    const error = await ensureDeployed(quick, IMAGE, { client, logger }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_GATEWAY_NOT_READY')).toBe(true);
    expect(logger.lines.some((l) => /^waiting for hello-world: 0 of 1 replicas available/.test(l))).toBe(
      true,
    );
  });
});

describe('ensureDeployed against faas-netes CE', () => {
  it('stops before deploying a private-registry image, with the reason', async () => {
    const { resolved, logger, client, double } = await setup('faas-netes-ce');
    const error = await ensureDeployed(resolved, IMAGE, { client, logger }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_GATEWAY_CE_PRIVATE_IMAGE')).toBe(true);
    expect((error as Error).message).toContain('Community Edition on Kubernetes');
    expect(sequence(double)).toEqual(['GET /system/function/hello-world 404', 'GET /system/info 200']);
  });

  it('deploys an image from another registry with 202s, and catches the silent 200 of a failed PUT', async () => {
    const { resolved, logger, client, double } = await setup('faas-netes-ce');
    const publicImage = { ...resolved, inWorkspaceRegistry: false } as ResolvedPublish;
    const first: PublishedImage = {
      ref: 'ghcr.io/home/hello-world:c-0123456789ab',
      tag: 'c-0123456789ab',
      pushed: true,
    };
    await ensureDeployed(publicImage, first, { client, logger });
    expect(sequence(double).slice(0, 4)).toEqual([
      'GET /system/function/hello-world 404',
      'GET /system/info 200',
      'PUT /system/functions 404',
      'POST /system/functions 202',
    ]);
    double.behaviour.silentPutFailure = true;
    const second: PublishedImage = { ...first, ref: 'ghcr.io/home/hello-world:c-bbbbbbbbbbbb' };
    const error = await ensureDeployed(publicImage, second, { client, logger }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_DEPLOY_IMAGE_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(
      'faas-netes Community Edition answers 200 and changes nothing',
    );
  });
});

describe('gateway failures', () => {
  it('401: names the gateway and the variables, never the password', async () => {
    const { resolved, logger, client } = await setup('faasd', {}, 'wrong-password-91');
    const error = await ensureDeployed(resolved, IMAGE, { client, logger }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_GATEWAY_AUTH')).toBe(true);
    expect((error as { hint: string }).hint).toContain('OPENFAAS_PASSWORD');
    expect(`${(error as Error).message} ${logger.lines.join('\n')}`).not.toContain('wrong-password-91');
  });

  it('5xx that persists: retried, bounded, then reported', async () => {
    const { resolved, logger, client, double } = await setup('faasd', { failWith5xx: 'always' });
    const error = await ensureDeployed(resolved, IMAGE, { client, logger }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_GATEWAY_HTTP')).toBe(true);
    expect(double.requests).toHaveLength(2);
  });
});
