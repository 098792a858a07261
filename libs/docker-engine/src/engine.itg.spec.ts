import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port';
import type { ContainerSpec } from './container-spec';
import { createEngine } from './engine';

// Against the real Docker engine and the local `registry:2` image (plain HTTP here: TLS is the plugin's job).
const docker = new Dockerode();
const name = `homefaas-itg-engine-${process.pid}`;
const altImage = `homefaas-itg-engine-alt:${process.pid}`;
let dir: string;
let spec: ContainerSpec;
let port: number;

async function answers(url: string): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      return (await fetch(url)).status;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} never answered`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-engine-itg-'));
  for (const folder of ['data', 'conf']) mkdirSync(join(dir, folder));
  port = await freePort();
  spec = {
    name,
    image: 'registry:2',
    env: { REGISTRY_HTTP_ADDR: `127.0.0.1:${port}` },
    mounts: [
      { source: join(dir, 'data'), target: '/var/lib/registry', readOnly: false },
      { source: join(dir, 'conf'), target: '/conf', readOnly: true },
    ],
    network: 'host',
    ports: [port],
  };
  await docker.getImage('registry:2').tag({ repo: 'homefaas-itg-engine-alt', tag: String(process.pid) });
});

afterAll(async () => {
  await docker
    .getContainer(name)
    .remove({ force: true })
    .catch(() => {});
  await docker
    .getImage(altImage)
    .remove()
    .catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('createEngine against the real Docker engine', () => {
  const engine = createEngine({ logger: createMemoryLogger() });

  it('pings the daemon, and says how to start it when it does not answer', async () => {
    await engine.ping();
    const down = createEngine({ docker: new Dockerode({ socketPath: join(dir, 'no-docker.sock') }) });
    const error = await down.ping().catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_DOCKER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('no-docker.sock');
    expect((error as { hint: string }).hint).toContain('systemctl start docker');
  });

  it('creates a missing container with the mounts, environment, host network and restart policy always', async () => {
    expect(await engine.inspectContainer(name)).toBeUndefined();
    const result = await engine.ensureRegistryContainer(spec);
    expect(result).toEqual({
      changed: true,
      detail: `created and started ${name} (registry:2, host network)`,
    });
    const state = await engine.inspectContainer(name);
    expect(state).toMatchObject({
      running: true,
      networkMode: 'host',
      restartPolicy: 'always',
      image: 'registry:2',
    });
    expect(state?.env.REGISTRY_HTTP_ADDR).toBe(`127.0.0.1:${port}`);
    expect(await answers(`http://127.0.0.1:${port}/v2/`)).toBe(200);
  });

  it('leaves a matching running container alone', async () => {
    const before = await engine.inspectContainer(name);
    const result = await engine.ensureRegistryContainer(spec);
    expect(result.changed).toBe(false);
    expect((await engine.inspectContainer(name))?.id).toBe(before?.id);
  });

  it('starts a stopped container again', async () => {
    await engine.stopContainer(name);
    expect((await engine.inspectContainer(name))?.running).toBe(false);
    const result = await engine.ensureRegistryContainer(spec);
    expect(result).toEqual({ changed: true, detail: `${name} was exited: started` });
    expect(await answers(`http://127.0.0.1:${port}/v2/`)).toBe(200);
  });

  it('restarts a matching container when asked to (files it reads only at start changed)', async () => {
    const before = await docker.getContainer(name).inspect();
    const result = await engine.ensureRegistryContainer(spec, { restart: 'to load the new password' });
    expect(result).toEqual({ changed: true, detail: `${name} restarted: to load the new password` });
    const after = await docker.getContainer(name).inspect();
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
  });

  it('reports a container that differs, naming each difference, and does not touch it', async () => {
    const before = await engine.inspectContainer(name);
    const other: ContainerSpec = {
      ...spec,
      image: altImage,
      mounts: [spec.mounts[0] as ContainerSpec['mounts'][number]],
      env: { ...spec.env, REGISTRY_STORAGE_DELETE_ENABLED: 'true' },
    };
    const error = await engine
      .ensureRegistryContainer(other, { recreateHint: 'Run it with --recreate.' })
      .catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_REGISTRY_CONTAINER_DIFFERS')).toBe(true);
    expect((error as Error).message).toBe(
      `Container ${name} is not the expected registry: image is registry:2, expected ${altImage}; ` +
        `/conf is mounted from ${join(dir, 'conf')}, which is not expected; ` +
        'environment REGISTRY_STORAGE_DELETE_ENABLED is not set, expected true. It was left as it is.',
    );
    expect((error as { hint: string }).hint).toBe('Run it with --recreate.');
    const after = await engine.inspectContainer(name);
    expect(after?.id).toBe(before?.id);
    expect(after?.running).toBe(true);
  });

  it('recreates it when asked, keeping what the bind-mounted data folder holds', async () => {
    writeFileSync(join(dir, 'data', 'kept.txt'), 'still here');
    const before = await engine.inspectContainer(name);
    const other: ContainerSpec = { ...spec, image: altImage };
    const result = await engine.ensureRegistryContainer(other, { recreate: true });
    expect(result.changed).toBe(true);
    expect(result.detail).toContain(`image is registry:2, expected ${altImage}`);
    const after = await engine.inspectContainer(name);
    expect(after?.id).not.toBe(before?.id);
    expect(after?.image).toBe(altImage);
    expect(readFileSync(join(dir, 'data', 'kept.txt'), 'utf8')).toBe('still here');
    expect(await answers(`http://127.0.0.1:${port}/v2/`)).toBe(200);
  });

  it('reads the last lines the container logged', async () => {
    const logs = await engine.containerLogs(name, 50);
    expect(logs).toContain(`listening on 127.0.0.1:${port}`);
  });

  it('copies a file into the container, creating its folders, and reads it back', async () => {
    await engine.copyFileToContainer(name, '/homefaas-itg/deep/note.txt', 'first line\nsecond line\n');
    expect(await engine.readContainerFile(name, '/homefaas-itg/deep/note.txt')).toBe(
      'first line\nsecond line\n',
    );
    expect(await engine.readContainerFile(name, '/homefaas-itg/deep/missing.txt')).toBeUndefined();
  });

  it('runs a command in the container and gives its exit code and output', async () => {
    const missing = await engine.execInContainer(name, ['homefaas-no-such-command']);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.output).toContain('homefaas-no-such-command');
  });

  it('stops, starts (twice: a no-op) and restarts the container', async () => {
    await engine.stopContainer(name);
    expect((await engine.inspectContainer(name))?.running).toBe(false);
    await engine.startContainer(name);
    await engine.startContainer(name);
    expect((await engine.inspectContainer(name))?.running).toBe(true);
    const before = await docker.getContainer(name).inspect();
    await engine.restartContainer(name);
    const after = await docker.getContainer(name).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
    expect(await answers(`http://127.0.0.1:${port}/v2/`)).toBe(200);
  });

  it('says plainly when an image is missing and cannot be pulled', async () => {
    const error = await engine
      .ensureRegistryContainer({
        ...spec,
        name: `${name}-missing`,
        image: '127.0.0.1:1/homefaas/none:missing',
      })
      .catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_DOCKER_IMAGE_UNAVAILABLE')).toBe(true);
    expect((error as { hint: string }).hint).toContain('docker pull 127.0.0.1:1/homefaas/none:missing');
    expect(await engine.inspectContainer(`${name}-missing`)).toBeUndefined();
  });

  it('removes the container, and removing it again is a no-op', async () => {
    await engine.removeContainer(name);
    expect(await engine.inspectContainer(name)).toBeUndefined();
    await engine.removeContainer(name);
    await engine.stopContainer(name);
  });
});
