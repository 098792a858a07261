import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from '@homefaas/certificates';
import { createMemoryLogger } from '@homefaas/core';
import { createEngine, runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_CA_BUNDLE, ensureContainerTrustsCa, findContainer } from './builder-container-ca';
import {
  builderTrustProblem,
  ensureContainerBuilder,
  ensureDefaultBuildkitdConfig,
  readBuilderInstance,
} from './builder-trust';

const REG = 'docker-registry.home.lan:5000';
const STANDIN = 'homefaas-test/buildkit-standin:latest';
const engine = createEngine();

let root: string;
let buildxDir: string;
let caPem: string;
let otherCaPem: string;
const env = () => ({ ...process.env, BUILDX_CONFIG: buildxDir });
const buildx = (args: string[], cwd?: string) =>
  runCommand('docker', ['buildx', ...args], { env: env(), cwd });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'builder-itg-'));
  buildxDir = join(root, 'buildx-config');
  const [ca, other] = await Promise.all(
    ['homefaas test CA', 'another CA'].map((commonName) =>
      createCa({ commonName, permittedDomains: ['home.lan'], permittedIps: [], days: 30, keyBits: 3072 }),
    ),
  );
  caPem = ca?.certPem ?? '';
  otherCaPem = other?.certPem ?? '';
  await runCommand('mkdir', ['-p', join(root, 'infra/ca')]);
  await writeFile(join(root, 'infra/ca/homeCA.pem'), caPem);
});

afterAll(async () => {
  // Builders here were never started, so removing them from the private config dir removes everything.
  for (const name of ['homefaas', 'multiarch']) await buildx(['rm', name]);
  await rm(root, { recursive: true, force: true });
});

/** buildx's record of a builder; fails the test when there is none. */
async function stored(name: string) {
  const instance = await readBuilderInstance(buildxDir, name);
  if (instance === undefined) throw new Error(`buildx has no builder ${name}`);
  return instance;
}

const options = () => ({
  root,
  buildxDir,
  name: 'homefaas',
  registry: REG,
  caPath: 'infra/ca/homeCA.pem',
  caPem,
  env: env(),
});

describe('ensureContainerBuilder with the real buildx', () => {
  it('creates the dedicated builder from infra/buildkit/buildkitd.toml, without making it the current builder', async () => {
    const steps = await ensureContainerBuilder(options());
    expect(steps.map((s) => [s.name, s.changed])).toEqual([
      ['buildkitd config', true],
      ['builder homefaas', true],
    ]);
    const instance = await readBuilderInstance(buildxDir, 'homefaas');
    expect(instance?.driver).toBe('docker-container');
    expect(builderTrustProblem(await stored('homefaas'), REG, caPem)).toBeUndefined();
    const ls = await buildx(['ls']);
    expect(ls.stdout).toMatch(/^default\s*\*/m);
    expect(ls.stdout).not.toMatch(/^homefaas\s*\*/m);
  });

  it('leaves a builder that already trusts the CA alone', async () => {
    const before = await readFile(join(buildxDir, 'instances/homefaas'), 'utf8');
    const steps = await ensureContainerBuilder(options());
    expect(steps.every((s) => !s.changed)).toBe(true);
    expect(await readFile(join(buildxDir, 'instances/homefaas'), 'utf8')).toBe(before);
  });

  it('recreates a builder made without the config, and says why', async () => {
    await buildx(['rm', 'homefaas']);
    expect((await buildx(['create', '--name', 'homefaas', '--driver', 'docker-container'])).exitCode).toBe(0);
    const steps = await ensureContainerBuilder(options());
    expect(steps[1]?.detail).toMatch(/^recreated because it was created without a buildkitd config/);
    expect(builderTrustProblem(await stored('homefaas'), REG, caPem)).toBeUndefined();
  });

  it('recreates a builder whose stored CA is another one', async () => {
    await writeFile(join(root, 'infra/ca/homeCA.pem'), otherCaPem);
    const logger = createMemoryLogger();
    const steps = await ensureContainerBuilder({ ...options(), caPem: otherCaPem, logger });
    expect(steps[1]?.detail).toMatch(/^recreated because the CA it stores for .* is not the workspace CA/);
    expect(logger.lines.join('\n')).toContain('[buildx]');
    await writeFile(join(root, 'infra/ca/homeCA.pem'), caPem);
    await ensureContainerBuilder(options());
  });

  it('plans without acting on a dry run', async () => {
    await buildx(['rm', 'homefaas']);
    const steps = await ensureContainerBuilder({ ...options(), dryRun: true });
    expect(steps[1]).toMatchObject({ changed: true, detail: 'would be created' });
    expect(await readBuilderInstance(buildxDir, 'homefaas')).toBeUndefined();
  });

  it('makes a builder created afterwards without a config (faas-cli style) trust the CA', async () => {
    await ensureDefaultBuildkitdConfig({ buildxDir, registry: REG, caPem });
    const created = await buildx([
      'create',
      '--name',
      'multiarch',
      '--node',
      'multiarch',
      '--driver',
      'docker-container',
    ]);
    expect(created.exitCode).toBe(0);
    expect(builderTrustProblem(await stored('multiarch'), REG, caPem)).toBeUndefined();
  });
});

describe('ensureContainerTrustsCa against a stand-in builder container', () => {
  const name = `buildx_buildkit_hftest${process.pid}0`;

  beforeAll(async () => {
    const started = await runCommand('docker', [
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'host',
      STANDIN,
    ]);
    if (started.exitCode !== 0) throw new Error(`docker run ${STANDIN} failed: ${started.output}`);
  });
  afterAll(async () => {
    await engine.removeContainer(name);
  });

  const bundle = async () => (await runCommand('docker', ['exec', name, 'cat', CONTAINER_CA_BUNDLE])).stdout;
  const startedAt = async () =>
    (await runCommand('docker', ['inspect', '--format', '{{.State.StartedAt}}', name])).stdout.trim();
  const running = async () => (await engine.inspectContainer(name))?.running;
  const body = (pem: string) =>
    pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('\n');

  it('installs the CA, restarts the container, and a second run finds it in place', async () => {
    expect(await bundle()).not.toContain(body(caPem));
    const startedBefore = await startedAt();
    const first = await ensureContainerTrustsCa({ engine, container: name, caPem });
    expect(first.changed).toBe(true);
    expect(await bundle()).toContain(body(caPem));
    expect(await running()).toBe(true);
    expect(await startedAt()).not.toBe(startedBefore);
    const file = await runCommand('docker', [
      'exec',
      name,
      'cat',
      '/usr/local/share/ca-certificates/homefaas-ca.crt',
    ]);
    expect(file.stdout).toBe(caPem);
    const second = await ensureContainerTrustsCa({ engine, container: name, caPem });
    expect(second.changed).toBe(false);
  });

  it('starts a stopped container and trusts a new CA; dry runs change nothing', async () => {
    expect((await runCommand('docker', ['stop', '--time', '1', name])).exitCode).toBe(0);
    const dry = await ensureContainerTrustsCa({ engine, container: name, caPem: otherCaPem, dryRun: true });
    expect(dry.changed).toBe(true);
    expect(await running()).toBe(false);
    const result = await ensureContainerTrustsCa({ engine, container: name, caPem: otherCaPem });
    expect(result.changed).toBe(true);
    expect(await bundle()).toContain(body(otherCaPem));
  });

  it('finds the container by its candidate names', async () => {
    expect(await findContainer(engine, ['buildx_buildkit_nothing-here0', name])).toBe(name);
    expect(await findContainer(engine, ['buildx_buildkit_nothing-here0'])).toBeUndefined();
  });

  it('names the daemon when Docker does not answer', async () => {
    const dead = createEngine({ socketPath: join(root, 'no-docker.sock') });
    const error = await ensureContainerTrustsCa({ engine: dead, container: name, caPem }).catch(
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('ERR_DOCKER_UNAVAILABLE');
  });
});
