import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  builderTrustProblem,
  ensureBuilderTrust,
  ensureDefaultBuildkitdConfig,
  ensureWorkspaceBuildkitdConfig,
  readBuilderInstance,
  resolveBuildxConfigDir,
} from './builder-trust';

const REG = 'docker-registry.home.lan:5000';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBsjCCAVigAwIBAgIUQ\n-----END CERTIFICATE-----\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'builder-trust-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveBuildxConfigDir', () => {
  it.each([
    [{ BUILDX_CONFIG: '/b', DOCKER_CONFIG: '/d' }, '/b'],
    [{ DOCKER_CONFIG: '/d' }, '/d/buildx'],
    [{}, '/home/u/.docker/buildx'],
  ])('%j → %s', (env, expected) => {
    expect(resolveBuildxConfigDir(env, '/home/u')).toBe(expected);
  });
});

describe('ensureDefaultBuildkitdConfig', () => {
  it('copies the CA beside buildkitd.default.toml, keeps the user lines, and is idempotent', async () => {
    await writeFile(join(dir, 'buildkitd.default.toml'), 'debug = true\n');
    const first = await ensureDefaultBuildkitdConfig({ buildxDir: dir, registry: REG, caPem: CA });
    expect(first.changed).toBe(true);
    const caCopy = join(dir, 'homefaas/docker-registry.home.lan_5000/ca.pem');
    expect(await readFile(caCopy, 'utf8')).toBe(CA);
    expect(await readFile(join(dir, 'buildkitd.default.toml'), 'utf8')).toBe(
      `debug = true\n\n[registry."${REG}"]\n  ca = ["${caCopy}"]\n`,
    );
    const second = await ensureDefaultBuildkitdConfig({ buildxDir: dir, registry: REG, caPem: CA });
    expect(second).toMatchObject({ changed: false });
  });

  it('rewrites the copy when the CA changes, and a dry run writes nothing', async () => {
    await ensureDefaultBuildkitdConfig({ buildxDir: dir, registry: REG, caPem: CA });
    const other = CA.replace('QQ', 'ZZ').replace('UQ', 'UZ');
    const dry = await ensureDefaultBuildkitdConfig({
      buildxDir: dir,
      registry: REG,
      caPem: other,
      dryRun: true,
    });
    expect(dry.changed).toBe(true);
    expect(dry.detail).toMatch(/^would have copied the CA/);
    const caCopy = join(dir, 'homefaas/docker-registry.home.lan_5000/ca.pem');
    expect(await readFile(caCopy, 'utf8')).toBe(CA);
    await ensureDefaultBuildkitdConfig({ buildxDir: dir, registry: REG, caPem: other });
    expect(await readFile(caCopy, 'utf8')).toBe(other);
  });
});

describe('ensureWorkspaceBuildkitdConfig', () => {
  it('writes infra/buildkit/buildkitd.toml with a CA path relative to that folder', async () => {
    const result = await ensureWorkspaceBuildkitdConfig({
      root: dir,
      registry: REG,
      caPath: 'infra/ca/homeCA.pem',
    });
    expect(result.changed).toBe(true);
    const text = await readFile(join(dir, 'infra/buildkit/buildkitd.toml'), 'utf8');
    expect(text).toContain(`[registry."${REG}"]\n  ca = ["../ca/homeCA.pem"]\n`);
    expect(text).not.toContain(dir);
    const again = await ensureWorkspaceBuildkitdConfig({
      root: dir,
      registry: REG,
      caPath: 'infra/ca/homeCA.pem',
    });
    expect(again.changed).toBe(false);
  });

  it('writes nothing on a dry run', async () => {
    await ensureWorkspaceBuildkitdConfig({
      root: dir,
      registry: REG,
      caPath: 'infra/ca/homeCA.pem',
      dryRun: true,
    });
    await expect(stat(join(dir, 'infra/buildkit/buildkitd.toml'))).rejects.toThrow(/ENOENT/);
  });
});

describe('readBuilderInstance and builderTrustProblem', () => {
  // Recorded from `docker buildx create --name probe --driver docker-container --buildkitd-config buildkitd.toml`
  // (buildx 0.13.1), with the CA file replaced by ours.
  const recorded = (ca: string, driver = 'docker-container') =>
    JSON.stringify({
      Name: 'probe',
      Driver: driver,
      Nodes: [
        {
          Name: 'probe0',
          Endpoint: 'unix:///var/run/docker.sock',
          Platforms: null,
          DriverOpts: null,
          Flags: ['--allow-insecure-entitlement=network.host'],
          Files: {
            'buildkitd.toml': Buffer.from(
              '\n[registry]\n\n  [registry."docker-registry.home.lan:5000"]\n    ca = ["/etc/buildkit/certs/docker-registry.home.lan_5000/ca.pem"]\n',
            ).toString('base64'),
            'certs/docker-registry.home.lan_5000/ca.pem': Buffer.from(ca).toString('base64'),
          },
        },
      ],
      Dynamic: false,
    });

  async function stored(name: string) {
    const instance = await readBuilderInstance(dir, name);
    if (instance === undefined) throw new Error(`no builder ${name}`);
    return instance;
  }

  async function store(name: string, json: string): Promise<void> {
    await mkdir(join(dir, 'instances'), { recursive: true });
    await writeFile(join(dir, 'instances', name), json);
  }

  it('decodes the stored files and finds the CA', async () => {
    await store('probe', recorded(CA));
    const instance = await readBuilderInstance(dir, 'Probe');
    expect(instance?.nodes[0]?.name).toBe('probe0');
    expect(instance?.nodes[0]?.files['certs/docker-registry.home.lan_5000/ca.pem']).toBe(CA);
    expect(builderTrustProblem(await stored('probe'), REG, CA)).toBeUndefined();
  });

  it('says why a builder must be recreated', async () => {
    await store('probe', recorded('-----BEGIN CERTIFICATE-----\nOTHER\n-----END CERTIFICATE-----\n'));
    expect(builderTrustProblem(await stored('probe'), REG, CA)).toBe(
      `the CA it stores for ${REG} is not the workspace CA`,
    );
    await store('probe', recorded(CA, 'docker'));
    expect(builderTrustProblem(await stored('probe'), REG, CA)).toBe('it uses the docker driver');
    expect(await readBuilderInstance(dir, 'missing')).toBeUndefined();
  });
});

describe('ensureBuilderTrust with the docker driver, dry run', () => {
  const options = () => ({
    root: dir,
    driver: 'docker' as const,
    name: 'homefaas',
    buildxDir: join(dir, 'buildx'),
    registry: REG,
    caPath: 'infra/ca/homeCA.pem',
    caPem: CA,
    daemonCertsDir: join(dir, 'certs.d'),
    dryRun: true,
  });
  const file = () => join(dir, 'certs.d', REG, 'ca.crt');

  it("reports a change when certs.d holds another CA's certificate, as the real run would make one", async () => {
    await mkdir(join(dir, 'certs.d', REG), { recursive: true });
    const other = CA.replace('UQ', 'UZ');
    await writeFile(file(), other);
    const [step] = await ensureBuilderTrust(options());
    expect(step).toEqual({
      name: 'builder trust',
      changed: true,
      detail: `driver docker: BuildKit in dockerd would trust ${REG} once the registry step writes our CA to ${file()} (${file()} holds another certificate than our CA)`,
    });
    expect(await readFile(file(), 'utf8')).toBe(other);
  });

  it('reports a change when certs.d has no file for the registry', async () => {
    const [step] = await ensureBuilderTrust(options());
    expect(step).toMatchObject({
      changed: true,
      detail: expect.stringContaining(`${file()} does not exist`),
    });
  });

  it('reports nothing to do when certs.d holds our CA', async () => {
    await mkdir(join(dir, 'certs.d', REG), { recursive: true });
    await writeFile(file(), CA);
    const [step] = await ensureBuilderTrust(options());
    expect(step).toEqual({
      name: 'builder trust',
      changed: false,
      detail: `driver docker: BuildKit in dockerd trusts ${REG} through ${file()}`,
    });
  });
});
