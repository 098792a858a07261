import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMemoryLogger } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../lib/function-bundle';
import { readStackFunction, resolveFunctionBundle } from '../../lib/function-project';
import { buildAndPushImage, type ImageBuildResult, resolveImageBuild } from '../../lib/image-build';
import { freePort } from '../build/test-workspace';
import { type SecureTestRegistry, startSecureTestRegistry } from './secure-test-registry';

const WORKSPACE = resolve(__dirname, '../../../../..');
const NAME = `homefaas-itg-image-${process.pid}`;
const TAG = `itg-${process.pid}`;

describe('hello-world image, built for three platforms and pushed to a TLS registry with auth', () => {
  let registry: SecureTestRegistry;
  let context: string;
  let image: string;
  let pushed: ImageBuildResult;
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
    const request = resolveImageBuild(
      { ...fn, image },
      { workspaceRoot: WORKSPACE, context, homeDir: homedir() },
    );
    pushed = await buildAndPushImage(request, { logger, env: registry.env });
  });

  afterAll(async () => {
    for (const container of containers) await runCommand('docker', ['rm', '-f', container]);
    if (image) await runCommand('docker', ['image', 'rm', '-f', image]);
    await registry?.stop();
    if (context) await rm(context, { recursive: true, force: true });
  });

  it('pushes a manifest list of linux/amd64, linux/arm64 and linux/arm/v7, streaming buildx as it goes', async () => {
    expect(pushed.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    expect(pushed.command).toContain('--provenance=false');
    expect(logger.lines.some((line) => line.startsWith('[hello-world] #'))).toBe(true);
    const client = registry.client();
    try {
      const manifest = await client.getManifest('hello-world', TAG);
      expect(client.platformsOf(manifest)).toEqual(
        expect.arrayContaining(['linux/amd64', 'linux/arm64', 'linux/arm/v7']),
      );
      expect(manifest.digest).toBe(pushed.digest);
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

async function waitForAnswer(url: string): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + 120_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: await response.json() };
    } catch (error) {
      last = error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error(`${url} did not answer in 120 s: ${String(last)}`);
}
