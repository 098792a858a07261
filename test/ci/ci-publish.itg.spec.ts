import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayDouble, startGatewayDouble } from '../gateway-double';
import { addFunctions, useRegistry } from '../publish/functions';
import { createScratchWorkspace, REPO_ROOT, type ScratchWorkspace } from '../publish/scratch-workspace';
import { freePort } from '../support/free-port';

// Distinct, greppable secrets: no output of any run may contain one of them.
const CA_PASS = 'ci-ca-passphrase-e8b2';
const REG_PASS = 'ci-registry-pw-57c1';
const GW_PASS = 'ci-gateway-pw-1a9d';
const HOST = 'docker-registry.home.lan';

let owner: ScratchWorkspace;
let runnerRoot: string;
let address: string;
let container: string;
let gateway: GatewayDouble;
let registryStartedAt: string;

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'owner',
  GIT_AUTHOR_EMAIL: 'owner@home.lan',
  GIT_COMMITTER_NAME: 'owner',
  GIT_COMMITTER_EMAIL: 'owner@home.lan',
};
const git = async (cwd: string, args: string[]) => {
  const result = await runCommand('git', args, { cwd, env: gitEnv });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed:\n${result.output}`);
  return result.stdout.trim();
};
/** Commits everything in the owner's workspace and brings it to the runner's clone. */
async function commit(message: string): Promise<void> {
  await git(owner.root, ['add', '-A']);
  await git(owner.root, ['commit', '-q', '--allow-empty', '-m', message]);
  await git(runnerRoot, ['pull', '-q', '--ff-only']);
}

/** The CI machine: the script, with only the secrets CI holds (no CA passphrase, a Docker config of its own). */
function ciPublish(args: string[], secrets: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  return runCommand('bash', ['tools/scripts/ci-publish.sh', ...args], {
    cwd: runnerRoot,
    env: {
      PATH: process.env.PATH,
      HOME: join(runnerRoot, '.home'),
      DOCKER_CONFIG: join(runnerRoot, '.docker-config'),
      CI: 'true',
      NO_COLOR: '1',
      REGISTRY_PASSWORD: REG_PASS,
      OPENFAAS_URL: gateway.url,
      OPENFAAS_PASSWORD: GW_PASS,
      ...secrets,
    },
  });
}

const deployed = () =>
  gateway.requests
    .filter((r) => r.method === 'PUT' || r.method === 'POST')
    .map((r) => (r.body as { service: string }).service)
    .sort();
const images = () => Object.fromEntries([...gateway.functions].map(([name, fn]) => [name, fn.image]));
async function startedAt(): Promise<string> {
  return (await runCommand('docker', ['inspect', '-f', '{{.State.StartedAt}}', container])).stdout.trim();
}
function expectNoSecret(output: string): void {
  for (const secret of [CA_PASS, REG_PASS, GW_PASS]) expect(output).not.toContain(secret);
}

beforeAll(async () => {
  const port = await freePort();
  container = `hf-ci-e2e-${process.pid}`;
  address = `${HOST}:${port}`;
  gateway = await startGatewayDouble({ provider: 'faasd', password: GW_PASS });
  // The machine that owns the CA and runs the registry publishes everything once.
  owner = await createScratchWorkspace({ homefaasJson: { registry: { port, container } } });
  await useRegistry(owner.root, address);
  await addFunctions(owner.root, address, [
    { name: 'fn-a', greeting: true, platforms: 'linux/amd64,linux/arm64' },
    { name: 'fn-b', platforms: 'linux/amd64' },
  ]);
  const sync = await owner.nx(['sync']);
  expect(sync.exitCode, sync.output).toBe(0);
  const first = await owner.nx(['run-many', '-t', 'publish', '--output-style=static'], {
    HOMEFAAS_CA_PASSPHRASE: CA_PASS,
    REGISTRY_PASSWORD: REG_PASS,
    OPENFAAS_URL: gateway.url,
    OPENFAAS_PASSWORD: GW_PASS,
  });
  expect(first.exitCode, first.output).toBe(0);
  registryStartedAt = await startedAt();
  await git(owner.root, ['init', '-q', '-b', 'main']);
  // The scratch workspace's links and Docker login are the test's, not the project's.
  await appendFile(join(owner.root, '.git/info/exclude'), 'node_modules\n.docker-config\n');
  await git(owner.root, ['add', '-A']);
  await git(owner.root, ['commit', '-q', '-m', 'functions, CA certificate, registry settings']);
  // CI's checkout: a clone, so without the git-ignored CA key and secrets.
  runnerRoot = await mkdtemp(join(tmpdir(), 'homefaas-runner-'));
  await git(tmpdir(), ['clone', '-q', owner.root, runnerRoot]);
  await symlink(join(REPO_ROOT, 'node_modules'), join(runnerRoot, 'node_modules'));
});

afterAll(async () => {
  await runCommand('docker', ['rm', '-f', container]);
  await rm(join('/etc/docker/certs.d', address), { recursive: true, force: true });
  await gateway?.close();
  await owner?.remove();
  if (runnerRoot) await rm(runnerRoot, { recursive: true, force: true });
});

describe('tools/scripts/ci-publish.sh BASE HEAD on a runner (a clone with the committed CA certificate only)', () => {
  it('the clone holds the CA certificate and not its key', () => {
    expect(existsSync(join(runnerRoot, 'infra/ca/homeCA.pem'))).toBe(true);
    expect(existsSync(join(runnerRoot, 'infra/ca/homeCA.key'))).toBe(false);
    expect(existsSync(join(owner.root, 'infra/ca/homeCA.key'))).toBe(true);
  });

  it('a lib change: exactly the functions importing it are built (one bake) and deployed', async () => {
    const greet = join(owner.root, 'libs/greeting/src/greet.ts');
    await writeFile(greet, (await readFile(greet, 'utf8')).replace(/return `[^,`]*,/, 'return `Servus,'));
    await commit('greeting: Servus');
    const before = images();
    gateway.requests.length = 0;
    const result = await ciPublish(['HEAD~1', 'HEAD']);
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/as a runner \(HOMEFAAS_RUNNER=1\)/);
    expect(result.output).toMatch(
      /Building 2 image\(s\) in one buildx bake run: (fn-a, hello-world|hello-world, fn-a)/,
    );
    expect(deployed()).toEqual(['fn-a', 'hello-world']);
    expect(images()['fn-b']).toBe(before['fn-b']);
    expect(images()['hello-world']).not.toBe(before['hello-world']);
    // The runner never touched the registry: same container start, no key written.
    expect(await startedAt()).toBe(registryStartedAt);
    expect(existsSync(join(runnerRoot, 'infra/ca/homeCA.key'))).toBe(false);
    expect(result.output).not.toMatch(/registry container|passphrase/i);
  });

  it('one function’s stack.yml entry: only that function is redeployed, nothing is built', async () => {
    const stack = join(owner.root, 'stack.yml');
    await writeFile(
      stack,
      (await readFile(stack, 'utf8')).replace('  fn-b:\n', '  fn-b:\n    environment:\n      LEVEL: debug\n'),
    );
    const sync = await owner.nx(['sync']);
    expect(sync.exitCode, sync.output).toBe(0);
    await commit('fn-b: LEVEL=debug');
    const before = images();
    gateway.requests.length = 0;
    const result = await ciPublish(['HEAD~1', 'HEAD']);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).not.toContain('bake');
    expect(deployed()).toEqual(['fn-b']);
    expect(images()).toEqual(before);
    expect(gateway.functions.get('fn-b')?.envVars).toEqual({ LEVEL: 'debug' });
  });

  it('a README change, and no change at all: nothing is published', async () => {
    await appendFile(join(owner.root, 'README.md'), '\nA line about the home lab.\n');
    await commit('README');
    gateway.requests.length = 0;
    const readme = await ciPublish(['HEAD~1', 'HEAD']);
    expect(readme.exitCode, readme.output).toBe(0);
    expect(readme.output).toContain('(none: nothing to publish)');
    const nothing = await ciPublish(['HEAD', 'HEAD']);
    expect(nothing.exitCode, nothing.output).toBe(0);
    expect(nothing.output).toContain('(none: nothing to publish)');
    expect(gateway.requests).toEqual([]);
  });

  it('a commit that changed stack.yml without `nx sync` is refused before anything is published', async () => {
    const stack = join(owner.root, 'stack.yml');
    await writeFile(stack, (await readFile(stack, 'utf8')).replace('LEVEL: debug', 'LEVEL: info'));
    await commit('fn-b: LEVEL=info, not synced');
    gateway.requests.length = 0;
    const result = await ciPublish(['HEAD~1', 'HEAD']);
    expect(result.exitCode, result.output).not.toBe(0);
    expect(result.output).toContain('The publish inputs of fn-b do not match stack.yml');
    expect(result.output).toContain('npx nx sync');
    expect(gateway.requests).toEqual([]);
  });

  it('missing secrets are named before anything runs, and none is asked for', async () => {
    const result = await ciPublish(['HEAD~1', 'HEAD'], { REGISTRY_PASSWORD: '', OPENFAAS_PASSWORD: '' });
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('✖ not set: REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE)');
    expect(result.output).toContain('OPENFAAS_PASSWORD (or OPENFAAS_PASSWORD_FILE)');
  });
});
