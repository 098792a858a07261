import { readFileSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createCa } from '@homefaas/certificates';
import { addFunctionToStack } from '@homefaas/config';
import { runCommand } from '@homefaas/docker-engine';
import { createRegistryClient, platformsOf } from '@homefaas/registry-client';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_HASH_ANNOTATION } from '../../tools/homefaas/src/deploy/deploy-function';
import { type GatewayDouble, startGatewayDouble } from '../gateway-double';
import { freePort } from '../support/free-port';
import { createScratchWorkspace, type ScratchWorkspace } from './scratch-workspace';

// Distinct, greppable secrets: no output of any run may contain one of them.
const CA_PASS = 'e2e-ca-passphrase-5d1c';
const REG_PASS = 'e2e-registry-pw-83a7';
const GW_PASS = 'e2e-gateway-pw-2f4b';
const WRONG = ['e2e-wrong-gateway-pw-66', 'e2e-wrong-registry-pw-91'];
const HOST = 'docker-registry.home.lan';

let ws: ScratchWorkspace;
let port: number;
let container: string;
let address: string;
let faasd: GatewayDouble;
let ce: GatewayDouble;
let firstTag: string;

const env = (extra: NodeJS.ProcessEnv = {}) => ({
  HOMEFAAS_CA_PASSPHRASE: CA_PASS,
  REGISTRY_PASSWORD: REG_PASS,
  OPENFAAS_URL: faasd.url,
  OPENFAAS_PASSWORD: GW_PASS,
  ...extra,
});
const publish = (args: string[] = [], extra: NodeJS.ProcessEnv = {}, project = 'hello-world') =>
  ws.nx(['run', `${project}:publish`, ...args], env(extra));
const sequence = (d: GatewayDouble) => d.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
const tagIn = (output: string) => /hello-world:(c-[0-9a-f]{12})/.exec(output)?.[1];
const registry = () =>
  createRegistryClient({
    baseUrl: `https://${address}`,
    ca: readFileSync(join(ws.root, 'infra/ca/homeCA.pem'), 'utf8'),
    auth: { username: 'homefaas', password: REG_PASS },
  });

/** Every run: no passphrase or password in what was printed. */
function expectNoSecret(output: string): void {
  for (const secret of [CA_PASS, REG_PASS, GW_PASS, ...WRONG]) expect(output).not.toContain(secret);
}

/** A failed run: non-zero, the message and the hint printed, nothing secret. */
function expectFailure(result: { exitCode: number; output: string }, message: RegExp, hint: RegExp): void {
  expectNoSecret(result.output);
  expect(result.exitCode, result.output).not.toBe(0);
  // A function's failure is reported as `✖ [name] step: message`; a failure of the whole run without prefix.
  expect(result.output).toMatch(new RegExp(`✖ (\\[[a-z0-9-]+\\] [a-z ]+: )?${message.source}`));
  expect(result.output).toMatch(new RegExp(`→ ${hint.source}`));
}

async function changeGreeting(text: string): Promise<void> {
  const file = join(ws.root, 'libs/greeting/src/greet.ts');
  const source = await readFile(file, 'utf8');
  await writeFile(
    file,
    source.replace(/return `[^`]*`;/, `return \`${text}, \${shown === '' ? DEFAULT_NAME : shown}!\`;`),
  );
}

beforeAll(async () => {
  port = await freePort();
  container = `hf-publish-e2e-${process.pid}`;
  address = `${HOST}:${port}`;
  ws = await createScratchWorkspace({ homefaasJson: { registry: { port, container } } });
  const stack = await readFile(join(ws.root, 'stack.yml'), 'utf8');
  await writeFile(join(ws.root, 'stack.yml'), stack.replaceAll(`${HOST}:5000/`, `${address}/`));
  faasd = await startGatewayDouble({ provider: 'faasd', password: GW_PASS });
  ce = await startGatewayDouble({ provider: 'faas-netes-ce', password: GW_PASS });
});

afterAll(async () => {
  await runCommand('docker', ['rm', '-f', container]);
  await rm(join('/etc/docker/certs.d', address), { recursive: true, force: true });
  await faasd?.close();
  await ce?.close();
  await ws?.remove();
});

describe('nx run hello-world:publish, end to end (real engine, buildx, registry; gateway double)', () => {
  it('publishes from nothing: CA, registry, trust, three-platform image, deploy to faasd, confirmed', async () => {
    const result = await publish();
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('↻ CA: created infra/ca/homeCA.pem');
    expect(result.output).toMatch(/↻ registry container: created and started/);
    expect(result.output).toMatch(/✔ builder trust: driver docker/);
    expect(result.output).toMatch(
      /↻ \[hello-world\] image: .* built for linux\/amd64, linux\/arm64, linux\/arm\/v7 and pushed \(bake of 1 in/,
    );
    expect(result.output).toMatch(/↻ \[hello-world\] tags: pointed latest at c-[0-9a-f]{12}/);
    firstTag = tagIn(result.output) ?? '';
    expect(firstTag).toMatch(/^c-[0-9a-f]{12}$/);
    const ref = `${address}/hello-world:${firstTag}`;

    const client = registry();
    try {
      const manifest = await client.getManifest('hello-world', firstTag);
      expect(platformsOf(manifest).sort()).toEqual(['linux/amd64', 'linux/arm/v7', 'linux/arm64']);
      expect((await client.headManifest('hello-world', 'latest'))?.digest).toBe(manifest.digest);
    } finally {
      await client.close();
    }

    expect(sequence(faasd)).toEqual([
      'GET /system/functions 200',
      'GET /system/info 200',
      'PUT /system/functions 404',
      'POST /system/functions 200',
      'GET /system/function/hello-world 200',
      'GET /system/functions 200',
    ]);
    for (const index of [2, 3]) {
      expect(faasd.requests[index]?.body).toEqual({
        service: 'hello-world',
        image: ref,
        envProcess: 'node index.js',
        labels: {},
        annotations: { [DEPLOYMENT_HASH_ANNOTATION]: expect.stringMatching(/^[0-9a-f]{16}$/) },
      });
    }
    expect(faasd.requests.every((r) => r.path === '/healthz' || r.authorized)).toBe(true);
    expect(result.output).toContain(
      `✔ [hello-world] ready: hello-world has 1 available replica(s) running ${ref}`,
    );
    expect(result.output).toMatch(/hello-world +c-[0-9a-f]{12} +built +deployed +ready/);
  });

  it('a second run with nothing changed skips build, push and deploy', async () => {
    faasd.requests.length = 0;
    const result = await publish();
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(
      `✔ [hello-world] image: ${address}/hello-world:${firstTag} is in the registry: build and push skipped`,
    );
    expect(result.output).toMatch(/✔ \[hello-world\] deploy: .* already runs .*: deploy skipped/);
    expect(result.output).not.toContain('↻');
    expect(result.output).not.toContain('docker buildx');
    expect(sequence(faasd)).toEqual(['GET /system/functions 200']);
  });

  it('--dryRun prints the plan for a changed lib and changes nothing', async () => {
    await changeGreeting('Hi');
    faasd.requests.length = 0;
    const client = registry();
    const tagsBefore = await client.tags('hello-world');
    const result = await publish(['--dryRun']);
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('Plan for hello-world (dry run: nothing is changed)');
    expect(result.output).toMatch(
      /↻ \[hello-world\] image: .* is not in the registry: would build for linux\/amd64, linux\/arm64, linux\/arm\/v7/,
    );
    expect(result.output).toMatch(/↻ \[hello-world\] deploy: would deploy .* \(it runs .*:c-/);
    expect(await client.tags('hello-world')).toEqual(tagsBefore);
    await client.close();
    expect(faasd.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(faasd.functions.get('hello-world')?.image).toBe(`${address}/hello-world:${firstTag}`);
  });

  it('a change in a shared lib changes the content tag: built, pushed and deployed with PUT', async () => {
    faasd.requests.length = 0;
    const result = await publish();
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    const tag = tagIn(result.output.split('↻ [hello-world] image: ')[1] ?? '');
    expect(tag).toMatch(/^c-[0-9a-f]{12}$/);
    expect(tag).not.toBe(firstTag);
    expect(sequence(faasd).slice(0, 3)).toEqual([
      'GET /system/functions 200',
      'GET /system/info 200',
      'PUT /system/functions 200',
    ]);
    expect(faasd.functions.get('hello-world')?.image).toBe(`${address}/hello-world:${tag}`);
  });

  it('two publishes of the same function at once take turns: one builds and deploys, the other finds it done', async () => {
    await changeGreeting('Hey');
    faasd.requests.length = 0;
    const [a, b] = await Promise.all([publish(), publish()]);
    for (const run of [a, b]) {
      expectNoSecret(run?.output ?? '');
      expect(run?.exitCode, run?.output).toBe(0);
    }
    const both = `${a?.output}\n${b?.output}`;
    expect(both.match(/↻ \[hello-world\] image: .* built for/g)).toHaveLength(1);
    expect(both.match(/build and push skipped/g)).toHaveLength(1);
    expect(both).toMatch(/waiting for publish-hello-world: held by pid \d+/);
    expect(faasd.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('nx run-many -t publish --parallel=3 publishes two functions without racing on the shared steps', async () => {
    const from = join(ws.root, 'functions/hello-world');
    const to = join(ws.root, 'functions/hello-two');
    await cp(from, to, { recursive: true });
    // The plugin infers the project from stack.yml; it takes the package's name, which is the function's.
    const pkg = JSON.parse(await readFile(join(to, 'package.json'), 'utf8'));
    await writeFile(join(to, 'package.json'), JSON.stringify({ ...pkg, name: 'hello-two' }, null, 2));
    const stackPath = join(ws.root, 'stack.yml');
    const stack = await readFile(stackPath, 'utf8');
    await writeFile(
      stackPath,
      addFunctionToStack(stack, 'hello-two', {
        lang: 'node22-ts',
        handler: './functions/hello-two',
        image: `${address}/hello-two:latest`,
        platforms: 'linux/amd64,linux/arm64',
      }),
    );
    await changeGreeting('Howdy');
    faasd.requests.length = 0;
    const result = await ws.nx(
      [
        'run-many',
        '-t',
        'publish',
        '--parallel=3',
        '--projects=hello-world,hello-two',
        '--output-style=static',
      ],
      env(),
    );
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    expect(
      result.output.match(/↻ \[hello-(world|two)\] image: .* built for/g) ?? [],
      result.output,
    ).toHaveLength(2);
    // One process, one bake run, for both functions (the Nx batch).
    expect(result.output.match(/in one buildx bake run/g), result.output).toHaveLength(1);
    expect(result.output).toMatch(
      /Building 2 image\(s\) in one buildx bake run: (hello-two, hello-world|hello-world, hello-two)\n/,
    );
    expect(faasd.functions.get('hello-two')?.image).toMatch(
      new RegExp(`^${address}/hello-two:c-[0-9a-f]{12}$`),
    );
    const image = faasd.functions.get('hello-world')?.image;
    expect(image).toMatch(new RegExp(`^${address}/hello-world:c-[0-9a-f]{12}$`));
    expect(image).not.toBe(`${address}/hello-world:${firstTag}`);
  });

  it('faas-netes CE: stops before deploying a private-registry image, and says why', async () => {
    const result = await publish([], { OPENFAAS_URL: ce.url });
    expectFailure(
      result,
      /The gateway at .* runs OpenFaaS Community Edition on Kubernetes \(faas-netes-ce\), which deploys only public images/,
      /Deploy to faasd instead/,
    );
    expect(sequence(ce)).toEqual(['GET /system/functions 200', 'GET /system/info 200']);
  });

  it('makes a running builder container trust the CA: npx nx run infra:trust-builder --builder <name>', async () => {
    const docker = new Dockerode();
    const builder = `hfe2e${process.pid}`;
    const name = `buildx_buildkit_${builder}0`;
    const buildxDir = join(ws.root, '.buildx');
    await docker.createContainer({
      name,
      Image: 'homefaas-test/buildkit-standin:latest',
      HostConfig: { NetworkMode: 'host' },
    });
    await docker.getContainer(name).start();
    try {
      const first = await ws.nx(['run', 'infra:trust-builder', `--builder=${builder}`], {
        BUILDX_CONFIG: buildxDir,
      });
      expect(first.exitCode, first.output).toBe(0);
      expect(first.output).toContain(
        `↻ buildkitd default config: copied the CA to ${buildxDir}/homefaas/${HOST}_${port}/ca.pem`,
      );
      expect(first.output).toContain(`↻ container ${name}: installed the CA`);
      expect(first.output).toMatch(/⚠ The CA now in .* is lost when builder .* is removed or recreated/);
      expect(await readFile(join(buildxDir, 'buildkitd.default.toml'), 'utf8')).toContain(
        `[registry."${address}"]`,
      );
      const bundle = await runCommand('docker', ['exec', name, 'cat', '/etc/ssl/certs/ca-certificates.crt']);
      const caBody =
        (await readFile(join(ws.root, 'infra/ca/homeCA.pem'), 'utf8')).split('\n')[1] ?? 'missing';
      expect(bundle.stdout).toContain(caBody);
      const second = await ws.nx(['run', 'infra:trust-builder', `--builder=${builder}`], {
        BUILDX_CONFIG: buildxDir,
      });
      expect(second.exitCode, second.output).toBe(0);
      expect(second.output).toContain(
        `✔ container ${name}: /etc/ssl/certs/ca-certificates.crt already holds the CA`,
      );
    } finally {
      await docker.getContainer(name).remove({ force: true });
    }
  });
});

describe('failures: a message that names the thing and the fix, a non-zero exit, no credential printed', () => {
  it('Docker daemon down (with a change to push, so Docker is needed)', async () => {
    await changeGreeting('Greetings');
    const result = await publish([], { DOCKER_HOST: `unix://${join(ws.root, 'no-docker.sock')}` });
    expectFailure(result, /The Docker daemon does not answer at .*no-docker\.sock/, /.+/);
  });

  it('registry down (stopped, and its address taken by something that is not a registry)', async () => {
    await runCommand('docker', ['stop', '-t', '1', container]);
    const sockets = new Set<import('node:net').Socket>();
    const squatter: Server = createServer((socket) => {
      sockets.add(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const result = await publish(['--registryTimeout=5']);
      expectFailure(
        result,
        /(The registry at https:\/\/docker-registry\.home\.lan:\d+ stopped|https:\/\/docker-registry\.home\.lan:\d+\/v2\/ did not answer within 5 s)/,
        /See why in its log: docker logs/,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    const recovered = await publish();
    expect(recovered.exitCode, recovered.output).toBe(0);
  });

  it('wrong registry password (Docker holds a password the registry refuses, and none is given)', async () => {
    const config = join(ws.dockerConfig, 'config.json');
    const saved = await readFile(config, 'utf8');
    const auth = Buffer.from(`homefaas:${WRONG[1]}`).toString('base64');
    await writeFile(config, JSON.stringify({ auths: { [address]: { auth } } }));
    try {
      const result = await publish([], { REGISTRY_PASSWORD: '' });
      expectFailure(result, /No password for registry user homefaas/, /Set REGISTRY_PASSWORD/);
    } finally {
      await writeFile(config, saved);
    }
  });

  it('a REGISTRY_PASSWORD that is not the stored one is refused, and the registry keeps its password', async () => {
    const htpasswd = join(ws.root, 'infra/registry/auth/registry.password');
    const before = await readFile(htpasswd, 'utf8');
    const result = await publish([], { REGISTRY_PASSWORD: WRONG[1] });
    expectFailure(
      result,
      /REGISTRY_PASSWORD is not the password of user homefaas in infra\/registry\/auth\/registry\.password\./,
      /Check REGISTRY_PASSWORD \(or REGISTRY_PASSWORD_FILE\)\. .*`npx nx run infra:registry-up --changePassword`/,
    );
    expect(await readFile(htpasswd, 'utf8')).toBe(before);
    const client = registry();
    try {
      expect((await client.ping()).authenticated).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('CA expired', async () => {
    const path = join(ws.root, 'infra/ca/homeCA.pem');
    const saved = await readFile(path, 'utf8');
    const expired = await createCa({
      commonName: 'expired CA',
      permittedDomains: ['home.lan'],
      permittedIps: [],
      days: 30,
      keyBits: 3072,
      now: new Date(Date.now() - 400 * 86_400_000),
    });
    await writeFile(path, expired.certPem);
    try {
      const result = await publish();
      expectFailure(
        result,
        /The CA infra\/ca\/homeCA\.pem expired on \d{4}-\d{2}-\d{2}/,
        /Replace it with `npx nx g ca --rotate`/,
      );
    } finally {
      await writeFile(path, saved);
    }
  });

  it('gateway unreachable', async () => {
    const result = await publish([], { OPENFAAS_URL: `http://127.0.0.1:${await freePort()}` });
    expectFailure(
      result,
      /Cannot reach the gateway: GET http:\/\/127\.0\.0\.1:\d+\/system\/functions failed/,
      /Check OPENFAAS_URL/,
    );
  });

  it('gateway 401', async () => {
    const result = await publish([], { OPENFAAS_PASSWORD: WRONG[0] });
    expectFailure(
      result,
      /Gateway answered 401 to GET .*: the credentials were refused/,
      /Set OPENFAAS_USERNAME and OPENFAAS_PASSWORD/,
    );
  });

  it('gateway 5xx that persists', async () => {
    faasd.behaviour.failWith5xx = 'always';
    try {
      const result = await publish();
      expectFailure(
        result,
        /Gateway answered 503 to GET .* after 3 tries/,
        /The gateway or its provider is failing/,
      );
    } finally {
      faasd.behaviour.failWith5xx = undefined;
    }
  });

  it('deploy accepted but never ready (bounded wait)', async () => {
    await appendStackEnvironment('MODE: never-ready');
    faasd.behaviour.neverReady = true;
    try {
      const result = await publish(['--readyTimeout=2']);
      expectFailure(
        result,
        /Function hello-world was not ready after 2000 ms/,
        /Look at why it does not start/,
      );
      expect(result.output).toMatch(/waiting for hello-world: 0 of 1 replicas available/);
      // stack.yml changed and nothing ran `nx sync`: the committed publish-inputs.json no longer matches.
      expect(result.output).toContain(
        '[hello-world] functions/hello-world/publish-inputs.json does not match stack.yml, homefaas.json or the homefaas plugin: run `npx nx sync` and commit it',
      );
    } finally {
      faasd.behaviour.neverReady = false;
    }
  });

  it('image differs after the PUT', async () => {
    await appendStackEnvironment('MODE: mismatch');
    faasd.behaviour.imageOverride = `${address}/hello-world:c-000000000000`;
    try {
      const result = await publish();
      expectFailure(
        result,
        /The gateway accepted PUT \/system\/functions \(200\) for hello-world, but it runs .*:c-000000000000, not .*:c-[0-9a-f]{12}/,
        /Read the gateway's and provider's logs/,
      );
    } finally {
      faasd.behaviour.imageOverride = undefined;
    }
  });
});

/** Gives hello-world an environment in stack.yml (a deployment change that keeps the image). */
async function appendStackEnvironment(line: string): Promise<void> {
  const path = join(ws.root, 'stack.yml');
  const stack = await readFile(path, 'utf8');
  const withoutOld = stack.replace(/\n {4}environment:\n {6}MODE: [^\n]*/, '');
  await writeFile(path, withoutOld.replace(/(\n {2}hello-world:\n)/, `$1    environment:\n      ${line}\n`));
}
