import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedFunction } from '@homefaas/config';
import { isHomefaasError } from '@homefaas/core';
import type { GatewayClient } from '@homefaas/gateway-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DoubleBehaviour,
  type DoubleProvider,
  type GatewayDouble,
  startGatewayDouble,
} from '../../../../test/gateway-double';
import { runSteps } from '../publish/steps';
import { FIXTURE_REGISTRY, fixtureContext, fixtureFunction, setRef } from '../test-support/run-fixture';
import { DEPLOYMENT_HASH_ANNOTATION, deploymentFor } from './deploy-function';
import { deployStep } from './deploy-step';
import { readyStep } from './ready-step';

const PASSWORD = 'gw-pass-7c1e9a';
const REF = `${FIXTURE_REGISTRY}/hello-world:c-0123456789ab`;

let root: string;
let double: GatewayDouble | undefined;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'deploy-step-'));
});
afterEach(async () => {
  await double?.close();
  double = undefined;
  await rm(root, { recursive: true, force: true });
});

async function start(provider: DoubleProvider, behaviour: DoubleBehaviour = {}) {
  double = await startGatewayDouble({ provider, password: PASSWORD, behaviour });
  return double;
}

/** Runs the deploy and ready steps for `functions` (each already with its content tag), as publish does. */
async function deploy(
  functions: ResolvedFunction[],
  options: {
    password?: string;
    readyTimeoutMs?: number;
    tag?: string;
    client?: (c: GatewayClient) => GatewayClient;
  } = {},
) {
  const context = fixtureContext({
    root,
    gatewayUrl: double?.url ?? '',
    password: options.password ?? PASSWORD,
    functions,
    ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    ...(options.client ? { client: options.client } : {}),
  });
  if (options.tag) for (const state of context.states) setRef(state, options.tag);
  await runSteps(context, [deployStep, readyStep]);
  return context;
}

const sequence = (d: GatewayDouble) => d.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
const errorOf = (context: Awaited<ReturnType<typeof deploy>>, name = 'hello-world') =>
  context.states.find((state) => state.input.name === name)?.error;

describe('deploy and ready steps against faasd', () => {
  it('creates the function (PUT 404, POST 200), reads it back, waits for a replica; a second run lists once and sends nothing', async () => {
    const gateway = await start('faasd', { readyAfterPolls: 2 });
    const first = await deploy([fixtureFunction('hello-world')]);
    expect(errorOf(first)).toBeUndefined();
    expect(sequence(gateway)).toEqual([
      'GET /system/functions 200',
      'GET /system/info 200',
      'PUT /system/functions 404',
      'POST /system/functions 200',
      'GET /system/function/hello-world 200',
      'GET /system/functions 200',
    ]);
    const body = deploymentFor(fixtureFunction('hello-world'), REF);
    expect(gateway.requests[3]?.body).toEqual(body);
    expect(body).toMatchObject({
      service: 'hello-world',
      image: REF,
      envVars: { GREETING: 'hi' },
      labels: { team: 'home' },
      readOnlyRootFilesystem: true,
    });
    expect(body.annotations?.[DEPLOYMENT_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
    expect(first.lines.some((l) => l.startsWith('↻ [hello-world] deploy: POST'))).toBe(true);
    expect(first.lines).toContain(
      `✔ [hello-world] ready: hello-world has 1 available replica(s) running ${REF}`,
    );
    expect(first.states[0]).toMatchObject({ deploy: 'deployed', ready: 'ready' });

    gateway.requests.length = 0;
    const second = await deploy([fixtureFunction('hello-world')]);
    expect(sequence(gateway)).toEqual(['GET /system/functions 200']);
    expect(second.lines.join('\n')).toMatch(/✔ \[hello-world\] deploy: .* already runs .*: deploy skipped/);
    expect(second.states[0]).toMatchObject({ deploy: 'unchanged', ready: 'ready' });
  });

  it('lists each namespace once for many functions, and deploys only the one whose settings changed', async () => {
    const gateway = await start('faasd');
    const names = ['fn-a', 'fn-b', 'fn-c', 'fn-d'];
    await deploy(names.map((name) => fixtureFunction(name)));
    expect(gateway.functions.size).toBe(4);
    gateway.requests.length = 0;
    const changed = names.map((name) =>
      fixtureFunction(name, name === 'fn-c' ? { environment: { GREETING: 'hello' } } : {}),
    );
    const context = await deploy(changed);
    expect(sequence(gateway)).toEqual([
      'GET /system/functions 200',
      'GET /system/info 200',
      'PUT /system/functions 200',
      'GET /system/function/fn-c 200',
      'GET /system/functions 200',
    ]);
    expect(gateway.requests[2]?.body).toMatchObject({ service: 'fn-c', envVars: { GREETING: 'hello' } });
    expect(context.lines.join('\n')).toContain('[fn-c] deploy: PUT');
    expect(context.lines.join('\n')).toContain('its settings in stack.yml changed');
    expect(context.states.map((s) => s.deploy)).toEqual(['unchanged', 'unchanged', 'deployed', 'unchanged']);
  });

  it('sends the secrets from infra/secrets before the deploy (POST, 409 then PUT on a change), and only when needed', async () => {
    const gateway = await start('faasd');
    const withSecret = fixtureFunction('hello-world', { secrets: ['api-key'] });
    await mkdir(join(root, 'infra/secrets'), { recursive: true });
    await writeFile(join(root, 'infra/secrets/api-key'), 'first-value');
    const first = await deploy([withSecret]);
    expect(errorOf(first)).toBeUndefined();
    expect(sequence(gateway).slice(0, 4)).toEqual([
      'GET /system/functions 200',
      'GET /system/info 200',
      'GET /system/secrets 200',
      'POST /system/secrets 200',
    ]);
    expect(gateway.requests[3]?.body).toEqual({ name: 'api-key', value: 'first-value' });

    gateway.requests.length = 0;
    await deploy([withSecret]);
    expect(sequence(gateway)).toEqual(['GET /system/functions 200']);

    gateway.requests.length = 0;
    await writeFile(join(root, 'infra/secrets/api-key'), 'second-value');
    const third = await deploy([withSecret]);
    expect(sequence(gateway)).toEqual([
      'GET /system/functions 200',
      'GET /system/info 200',
      'GET /system/secrets 200',
      'POST /system/secrets 409',
      'PUT /system/secrets 200',
      'PUT /system/functions 200',
      'GET /system/function/hello-world 200',
      'GET /system/functions 200',
    ]);
    expect(gateway.secrets.get('openfaas-fn/api-key')?.value).toBe('second-value');
    expect(third.lines.join('\n')).not.toContain('second-value');
  });

  it('a secret with no local file fails that function before anything is sent; the others deploy', async () => {
    const gateway = await start('faasd');
    const context = await deploy([
      fixtureFunction('hello-world', { secrets: ['missing'] }),
      fixtureFunction('other'),
    ]);
    const error = errorOf(context);
    expect(isHomefaasError(error, 'ERR_SECRET_FILE_MISSING')).toBe(true);
    expect((error as { hint: string }).hint).toContain('infra/secrets/missing');
    expect(gateway.functions.has('hello-world')).toBe(false);
    expect(gateway.functions.has('other')).toBe(true);
    expect(context.states.map((s) => [s.input.name, s.deploy])).toEqual([
      ['hello-world', 'not reached'],
      ['other', 'deployed'],
    ]);
  });

  it('reports an image that differs after an accepted PUT', async () => {
    const gateway = await start('faasd');
    await deploy([fixtureFunction('hello-world')]);
    gateway.behaviour.imageOverride = `${FIXTURE_REGISTRY}/hello-world:c-ffffffffffff`;
    const context = await deploy([fixtureFunction('hello-world')], { tag: 'c-aaaaaaaaaaaa' });
    const error = errorOf(context);
    expect(isHomefaasError(error, 'ERR_DEPLOY_IMAGE_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(
      `runs ${FIXTURE_REGISTRY}/hello-world:c-ffffffffffff, not ${FIXTURE_REGISTRY}/hello-world:c-aaaaaaaaaaaa`,
    );
  });

  it('warns, and does not fail, when the provider reports no image on read-back', async () => {
    const gateway = await start('faasd');
    gateway.behaviour.imageOverride = '';
    const context = await deploy([fixtureFunction('hello-world')]);
    expect(errorOf(context)).toBeUndefined();
    const warning = context.lines.find((line) => line.includes('could not be confirmed'));
    expect(warning).toBe(
      `warn: [hello-world] The gateway does not report which image hello-world runs, so ${REF} could not be confirmed (the provider leaves it empty).`,
    );
    expect(context.lines.join('\n')).not.toMatch(/running\s*$/m);
  });

  it('recreates a function that faasd removed when its update failed, and confirms it', async () => {
    const gateway = await start('faasd');
    await deploy([fixtureFunction('hello-world')]);
    gateway.behaviour.silentPutFailure = true;
    gateway.requests.length = 0;
    const context = await deploy([fixtureFunction('hello-world')], { tag: 'c-aaaaaaaaaaaa' });
    expect(errorOf(context)).toBeUndefined();
    // faasd answers 500 and drops the function; the retried PUT finds it missing and POST creates it again.
    expect(sequence(gateway).slice(2, 5)).toEqual([
      'PUT /system/functions 500',
      'PUT /system/functions 404',
      'POST /system/functions 200',
    ]);
    expect(gateway.functions.get('hello-world')?.image).toBe(
      `${FIXTURE_REGISTRY}/hello-world:c-aaaaaaaaaaaa`,
    );
  });

  it('reports a deploy the gateway accepted but then does not list', async () => {
    await start('faasd');
    let deployed = false;
    const context = await deploy([fixtureFunction('hello-world')], {
      client: (client) => ({
        ...client,
        deploy: async (body) => {
          deployed = true;
          return client.deploy(body);
        },
        getFunction: async (name, namespace) => (deployed ? undefined : client.getFunction(name, namespace)),
      }),
    });
    const error = errorOf(context);
    expect(isHomefaasError(error, 'ERR_DEPLOY_MISSING')).toBe(true);
    expect((error as Error).message).toContain(
      'accepted POST /system/functions (200) for hello-world, but then does not list the function',
    );
  });

  it('waits, bounded and with progress, and fails only the function that never gets a replica', async () => {
    await start('faasd', { neverReady: true });
    // Long enough that a slow first listing still leaves time for the progress line.
    const context = await deploy([fixtureFunction('hello-world')], { readyTimeoutMs: 1000 });
    const error = errorOf(context);
    expect(isHomefaasError(error, 'ERR_GATEWAY_NOT_READY')).toBe(true);
    expect((error as Error).message).toMatch(/^Function hello-world was not ready after 1000 ms/);
    expect(context.lines.some((l) => /^waiting for hello-world: 0 of 1 replicas available/.test(l))).toBe(
      true,
    );
    expect(context.states[0]?.ready).toBe('failed');
  });
});

describe('deploy step against faas-netes CE', () => {
  it('stops before deploying a private-registry image, with the reason; an image from elsewhere still deploys', async () => {
    const gateway = await start('faas-netes-ce');
    const context = await deploy([
      fixtureFunction('hello-world'),
      fixtureFunction('public-fn', { image: 'ghcr.io/home/public-fn:latest' }),
    ]);
    const error = errorOf(context);
    expect(isHomefaasError(error, 'ERR_GATEWAY_PUBLIC_IMAGES_ONLY')).toBe(true);
    expect((error as Error).message).toContain('Community Edition on Kubernetes');
    expect(gateway.functions.has('hello-world')).toBe(false);
    expect(gateway.functions.get('public-fn')?.image).toBe('ghcr.io/home/public-fn:c-0123456789ab');
    expect(sequence(gateway).slice(0, 4)).toEqual([
      'GET /system/functions 200',
      'GET /system/info 200',
      'PUT /system/functions 404',
      'POST /system/functions 202',
    ]);
  });

  it('catches the silent 200 of a failed PUT', async () => {
    const gateway = await start('faas-netes-ce');
    const publicFn = fixtureFunction('hello-world', { image: 'ghcr.io/home/hello-world:latest' });
    await deploy([publicFn]);
    gateway.behaviour.silentPutFailure = true;
    const context = await deploy([publicFn], { tag: 'c-bbbbbbbbbbbb' });
    const error = errorOf(context);
    expect(isHomefaasError(error, 'ERR_DEPLOY_IMAGE_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(
      'faas-netes Community Edition answers 200 and changes nothing',
    );
  });
});

describe('gateway failures', () => {
  it('401 on the listing: names the gateway and the variables, never the password', async () => {
    await start('faasd');
    const context = fixtureContext({
      root,
      gatewayUrl: double?.url ?? '',
      password: 'wrong-password-91',
      functions: [fixtureFunction('hello-world')],
    });
    const error = await runSteps(context, [deployStep]).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_GATEWAY_AUTH')).toBe(true);
    expect((error as { hint: string }).hint).toContain('OPENFAAS_PASSWORD');
    expect(`${(error as Error).message} ${context.lines.join('\n')}`).not.toContain('wrong-password-91');
  });

  it('5xx that persists: retried, bounded, then reported', async () => {
    const gateway = await start('faasd', { failWith5xx: 'always' });
    const context = fixtureContext({
      root,
      gatewayUrl: gateway.url,
      password: PASSWORD,
      functions: [fixtureFunction('hello-world')],
    });
    const error = await runSteps(context, [deployStep]).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_GATEWAY_HTTP')).toBe(true);
    expect(gateway.requests).toHaveLength(2);
  });
});
