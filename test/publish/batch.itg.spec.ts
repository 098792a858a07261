import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { createRegistryClient } from '@homefaas/registry-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayDouble, startGatewayDouble } from '../gateway-double';
import { freePort } from '../support/free-port';
import { addFunctions, useRegistry } from './functions';
import { createScratchWorkspace, type ScratchWorkspace } from './scratch-workspace';

// Distinct, greppable secrets: no output of any run may contain one of them.
const CA_PASS = 'batch-ca-passphrase-41d0';
const REG_PASS = 'batch-registry-pw-9e27';
const GW_PASS = 'batch-gateway-pw-c35a';
const HOST = 'docker-registry.home.lan';
const FUNCTIONS = ['hello-world', 'fn-a', 'fn-b', 'fn-c'];

let ws: ScratchWorkspace;
let address: string;
let container: string;
let gateway: GatewayDouble;

const env = () => ({
  HOMEFAAS_CA_PASSPHRASE: CA_PASS,
  REGISTRY_PASSWORD: REG_PASS,
  OPENFAAS_URL: gateway.url,
  OPENFAAS_PASSWORD: GW_PASS,
});
const runMany = [
  'run-many',
  '-t',
  'publish',
  `--projects=${FUNCTIONS.join(',')}`,
  '--parallel=3',
  '--output-style=static',
];
const publishAll = () => ws.nx(runMany, env());
const writes = () => gateway.requests.filter((r) => r.method === 'PUT' || r.method === 'POST');
const images = () => Object.fromEntries([...gateway.functions].map(([name, fn]) => [name, fn.image]));

function expectNoSecret(output: string): void {
  for (const secret of [CA_PASS, REG_PASS, GW_PASS]) expect(output).not.toContain(secret);
}

async function changeGreeting(text: string): Promise<void> {
  const file = join(ws.root, 'libs/greeting/src/greet.ts');
  const source = await readFile(file, 'utf8');
  await writeFile(file, source.replace(/return `[^,`]*,/, `return \`${text},`));
}

/**
 * Sets a function's publish target options in a project.json of its own, which Nx merges over the inferred
 * target; `undefined` removes it, leaving the inferred target alone.
 */
async function setPublishOptions(name: string, options: Record<string, unknown> | undefined): Promise<void> {
  const path = join(ws.root, 'functions', name, 'project.json');
  if (options === undefined) await rm(path, { force: true });
  else await writeFile(path, JSON.stringify({ name, targets: { publish: { options } } }, null, 2));
}

beforeAll(async () => {
  const port = await freePort();
  container = `hf-batch-e2e-${process.pid}`;
  address = `${HOST}:${port}`;
  ws = await createScratchWorkspace({ homefaasJson: { registry: { port, container } } });
  await useRegistry(ws.root, address);
  await addFunctions(ws.root, address, [
    { name: 'fn-a', greeting: true, platforms: 'linux/amd64,linux/arm64' },
    { name: 'fn-b', platforms: 'linux/amd64,linux/arm/v7' },
    { name: 'fn-c', platforms: 'linux/amd64' },
  ]);
  gateway = await startGatewayDouble({ provider: 'faasd', password: GW_PASS });
});

afterAll(async () => {
  await runCommand('docker', ['rm', '-f', container]);
  await rm(join('/etc/docker/certs.d', address), { recursive: true, force: true });
  await gateway?.close();
  await ws?.remove();
});

describe('nx run-many -t publish: one batch for many functions', () => {
  it('runs the shared steps once, builds the images in one bake after the first, lists the gateway once, deploys each', async () => {
    const result = await publishAll();
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    // The shared steps ran once for the four functions.
    expect(result.output.match(/^↻ CA: created /gm), result.output).toHaveLength(1);
    expect(result.output.match(/^↻ registry container: /gm)).toHaveLength(1);
    expect(result.output.match(/^✔ builder trust: /gm)).toHaveLength(1);
    // A registry with none of them: the first image is built alone, its base layers are mounted into the
    // other repositories, and the other three are built in one bake run.
    expect(result.output.match(/in one buildx bake run/g), result.output).toHaveLength(2);
    expect(result.output).toMatch(/Building 1 image\(s\) in one buildx bake run: [a-z-]+\n/);
    expect(result.output).toMatch(/Mounted the \d+ layers of .* into 3 repositories \((\d+) of \1 mounts\)/);
    expect(result.output).toMatch(/Building 3 image\(s\) in one buildx bake run: /);
    expect(gateway.requests.filter((r) => r.path === '/system/functions' && r.method === 'GET')).toHaveLength(
      2, // the deploy step's listing, then the ready step's
    );
    expect(gateway.requests[0]).toMatchObject({ method: 'GET', path: '/system/functions' });
    for (const name of FUNCTIONS) {
      expect(result.output).toMatch(new RegExp(`^${name} +c-[0-9a-f]{12} +built +deployed +ready$`, 'm'));
      expect(images()[name]).toMatch(new RegExp(`^${address}/${name}:c-[0-9a-f]{12}$`));
    }
    const client = createRegistryClient({
      baseUrl: `https://${address}`,
      ca: readFileSync(join(ws.root, 'infra/ca/homeCA.pem'), 'utf8'),
      auth: { username: 'homefaas', password: REG_PASS },
    });
    try {
      for (const name of FUNCTIONS) {
        const tag = images()[name]?.split(':').at(-1) ?? '';
        const content = await client.headManifest(name, tag);
        expect((await client.headManifest(name, 'latest'))?.digest).toBe(content?.digest);
      }
      expect(client.platformsOf(await client.getManifest('fn-b', 'latest')).sort()).toEqual([
        'linux/amd64',
        'linux/arm/v7',
      ]);
    } finally {
      await client.close();
    }
  });

  it('a second run with nothing changed builds nothing and lists the gateway once', async () => {
    gateway.requests.length = 0;
    const result = await publishAll();
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).not.toContain('↻');
    expect(result.output).not.toContain('bake');
    expect(gateway.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /system/functions']);
  });

  it('a function whose build fails and one the gateway refuses fail their own tasks; the others publish', async () => {
    const before = images();
    await changeGreeting('Salut');
    // fn-b builds from a context whose Dockerfile copies a file it does not have.
    const broken = join(ws.root, 'broken-context');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'Dockerfile'), 'FROM node:22-alpine\nCOPY missing.js ./\n');
    await setPublishOptions('fn-b', { contextPath: 'broken-context' });
    // fn-c gets a new setting, which the provider refuses.
    const stackPath = join(ws.root, 'stack.yml');
    const stack = await readFile(stackPath, 'utf8');
    await writeFile(stackPath, stack.replace('  fn-c:\n', '  fn-c:\n    environment:\n      MODE: strict\n'));
    gateway.behaviour.refuse = { 'fn-c': { status: 400, body: 'fn-c: rejected by the provider' } };
    gateway.requests.length = 0;
    try {
      const result = await publishAll();
      expectNoSecret(result.output);
      expect(result.exitCode, result.output).not.toBe(0);
      expect(result.output).toMatch(
        /✖ \[fn-b\] image: The image of fn-b was not built: .*missing\.js.*not found/,
      );
      expect(result.output).toMatch(
        /✖ \[fn-c\] deploy: Gateway answered 400 to PUT \/system\/functions for fn-c/,
      );
      expect(result.output).toMatch(/Published: 2 of 4 function\(s\), 2 failed/);
      expect(result.output).toMatch(/^fn-b +c-[0-9a-f]{12} +failed +not reached +not reached$/m);
      // Nx knows which tasks failed: each function's result is its own.
      expect(result.output).toMatch(/fn-b:publish/);
      expect(result.output).toMatch(/fn-c:publish/);
      const after = images();
      expect(after['hello-world']).not.toBe(before['hello-world']);
      expect(after['fn-a']).not.toBe(before['fn-a']);
      expect(after['fn-b']).toBe(before['fn-b']);
      expect(after['fn-c']).toBe(before['fn-c']);
      expect(
        writes()
          .map((r) => (r.body as { service: string }).service)
          .sort(),
      ).toEqual(['fn-a', 'fn-c', 'hello-world']);
    } finally {
      gateway.behaviour.refuse = undefined;
      await setPublishOptions('fn-b', undefined);
    }
    const again = await publishAll();
    expect(again.exitCode, again.output).toBe(0);
    expect(again.output).toMatch(/^fn-c +c-[0-9a-f]{12} +in registry +deployed +ready$/m);
    expect(again.output).toMatch(/^hello-world +c-[0-9a-f]{12} +in registry +unchanged +ready$/m);
    expect(gateway.functions.get('fn-c')?.envVars).toEqual({ MODE: 'strict' });
  });

  it('nx run-many -t image is one batch too: every image built and pushed under its stack.yml tag in one bake', async () => {
    await changeGreeting('Moin');
    const result = await ws.nx(
      ['run-many', '-t', 'image', '--projects=hello-world,fn-a,fn-b', '--output-style=static'],
      env(),
    );
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output.match(/in one buildx bake run/g), result.output).toHaveLength(1);
    expect(result.output).toMatch(/Building 3 image\(s\) in one buildx bake run: /);
    const client = createRegistryClient({
      baseUrl: `https://${address}`,
      ca: readFileSync(join(ws.root, 'infra/ca/homeCA.pem'), 'utf8'),
      auth: { username: 'homefaas', password: REG_PASS },
    });
    try {
      // hello-world's latest now holds the new greeting's image: not the content tag publish deployed.
      const latest = await client.headManifest('hello-world', 'latest');
      const deployed = images()['hello-world']?.split(':').at(-1) ?? '';
      expect(latest?.digest).not.toBe((await client.headManifest('hello-world', deployed))?.digest);
    } finally {
      await client.close();
    }
  });

  it('Ctrl-C during the bake: nothing is deployed, and the next run finishes the job', async () => {
    await changeGreeting('Hej');
    // A temp folder of these runs' own: no other test's bake shows up in it or tidies it.
    const temp = await mkdtemp(join(tmpdir(), 'batch-ctrl-c-'));
    const runEnv = { ...env(), TMPDIR: temp };
    const bakeDirs = () => readdirSync(temp).filter((name) => name.startsWith('homefaas-bake-'));
    const before = images();
    gateway.requests.length = 0;
    const run = ws.startNx(runMany, runEnv);
    // The bake's command line is shown once its bake file is written.
    await run.waitFor('$ docker buildx bake');
    run.interrupt();
    const interrupted = await run.done;
    expect(interrupted.exitCode, interrupted.output).not.toBe(0);
    expect(writes(), interrupted.output).toEqual([]);
    expect(images()).toEqual(before);
    // Ctrl-C killed the task's process before its clean-up: its bake folder is left.
    expect(bakeDirs()).toHaveLength(1);

    const again = await ws.nx(runMany, runEnv);
    expect(again.exitCode, again.output).toBe(0);
    expect(images()['hello-world']).not.toBe(before['hello-world']);
    expect(images()['fn-a']).not.toBe(before['fn-a']);
    // The next run removed it, and its own.
    expect(bakeDirs()).toEqual([]);
    await rm(temp, { recursive: true, force: true });
  });

  it('the registry stops during the bake: those functions fail and are not deployed; the next run finishes', async () => {
    await changeGreeting('Ahoj');
    const before = images();
    gateway.requests.length = 0;
    const run = ws.startNx(runMany, env());
    await run.waitFor('in one buildx bake run');
    await runCommand('docker', ['stop', '-t', '0', container]);
    const failed = await run.done;
    expectNoSecret(failed.output);
    expect(failed.exitCode, failed.output).not.toBe(0);
    expect(failed.output).toMatch(/✖ \[hello-world\] image: /);
    expect(failed.output).toMatch(/✖ \[fn-a\] image: /);
    expect(writes()).toEqual([]);
    expect(images()).toEqual(before);

    // The registry step starts the stopped container again.
    const again = await publishAll();
    expect(again.exitCode, again.output).toBe(0);
    expect(again.output).toMatch(/↻ registry container: /);
    expect(images()['hello-world']).not.toBe(before['hello-world']);
  });
});
