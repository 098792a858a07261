import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMemoryLogger } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../../test/support/free-port';
import { waitForAnswer } from '../../../../../test/support/wait-for-answer';
import { bundleFunction } from '../../function/function-bundle';
import { readStackFunction, resolveFunctionBundle } from '../../function/function-project';
import { type BakeResult, bake } from '../../image/bake';
import { resolveImageBuild } from '../../image/image-build';
import { type SecureTestRegistry, startSecureTestRegistry } from '../../test-support/secure-test-registry';

const WORKSPACE = resolve(__dirname, '../../../../..');
const NAME = `homefaas-itg-image-${process.pid}`;
const TAG = `itg-${process.pid}`;

describe('hello-world image, built for three platforms and pushed to a TLS registry with auth', () => {
  let registry: SecureTestRegistry;
  let context: string;
  let image: string;
  let pushed: BakeResult;
  const logger = createMemoryLogger();
  const containers: string[] = [];

  beforeAll(async () => {
    registry = await startSecureTestRegistry({ name: NAME });
    context = await mkdtemp(join(tmpdir(), 'homefaas-itg-context-'));
    await bundleFunction(
      resolveFunctionBundle(
        {
          name: 'hello-world',
          workspaceRoot: WORKSPACE,
          projectDir: join(WORKSPACE, 'functions/hello-world'),
        },
        {},
      ),
      context,
    );
    const fn = readStackFunction(WORKSPACE, 'hello-world', {});
    image = `${registry.address}/hello-world:${TAG}`;
    const request = resolveImageBuild(fn, { workspaceRoot: WORKSPACE, context, homeDir: homedir() });
    pushed = await bake([{ name: 'hello-world', request, tags: [image] }], { env: registry.env, logger });
  });

  afterAll(async () => {
    for (const container of containers) await runCommand('docker', ['rm', '-f', container]);
    if (image) await runCommand('docker', ['image', 'rm', '-f', image]);
    await registry?.stop();
    if (context) await rm(context, { recursive: true, force: true });
  });

  it('pushes a manifest list of linux/amd64, linux/arm64 and linux/arm/v7, streaming buildx as it goes', async () => {
    expect(pushed.error, JSON.stringify(pushed.error)).toBeUndefined();
    expect(logger.lines.some((line) => line.startsWith('  │ #'))).toBe(true);
    const client = registry.client();
    try {
      const manifest = await client.getManifest('hello-world', TAG);
      expect(client.platformsOf(manifest)).toEqual(
        expect.arrayContaining(['linux/amd64', 'linux/arm64', 'linux/arm/v7']),
      );
      expect(manifest.digest).toBe(pushed.digests.get('hello-world'));
      // No provenance attestation: registry 2 would refuse the OCI index it makes.
      expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    } finally {
      await client.close();
    }
  });

  it.each([
    ['linux/arm64', 'arm64'],
    ['linux/arm/v7', 'arm'],
  ])('pulls and runs the %s image under qemu, and it answers over HTTP', async (platform, arch) => {
    const container = `${NAME}-${arch}`;
    containers.push(container);
    const port = await freePort();
    // The build left a copy in the local store; remove it so the daemon really pulls from the registry.
    await runCommand('docker', ['image', 'rm', '-f', image]);
    const run = await runCommand(
      'docker',
      [
        'run',
        '-d',
        '--pull',
        'always',
        '--name',
        container,
        '--network',
        'host',
        '--platform',
        platform,
        '-e',
        `port=${port}`,
        image,
      ],
      { env: registry.env },
    );
    expect(run.exitCode, run.output).toBe(0);
    const answer = await waitForAnswer(`http://127.0.0.1:${port}/?name=Ada`);
    expect(answer).toEqual({ status: 200, body: { message: 'Hello, Ada!' } });
    const posted = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Grace' }),
    });
    expect(await posted.json()).toEqual({ message: 'Hello, Grace!' });
    const processArch = await runCommand('docker', ['exec', container, 'node', '-p', 'process.arch']);
    expect(processArch.stdout.trim()).toBe(arch);
  });
});
