import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from '@homefaas/certificates';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { createEngine, runCommand } from '@homefaas/docker-engine';
import type { ExecutorContext } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import trustBuilderExecutor, { normalizeOptions, trustBuilder } from './executor';

const engine = createEngine();
let root: string;
let buildxDir: string;
const builder = `hftb${process.pid}`;
const buildx = (args: string[]) =>
  runCommand('docker', ['buildx', ...args], { env: { ...process.env, BUILDX_CONFIG: buildxDir } });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trust-builder-'));
  buildxDir = join(root, 'buildx');
  const ca = await createCa({
    commonName: 't',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 30,
    keyBits: 3072,
  });
  await mkdir(join(root, 'infra/ca'), { recursive: true });
  await writeFile(join(root, 'infra/ca/homeCA.pem'), ca.certPem);
});
afterAll(async () => {
  await buildx(['rm', builder]);
  await rm(root, { recursive: true, force: true });
});

const resolved = (options = {}) =>
  normalizeOptions({ builder, ...options }, root, { BUILDX_CONFIG: buildxDir });

describe('trust-builder', () => {
  it('for a builder that does not exist yet: writes buildkitd.default.toml and says the builder will take it', async () => {
    const logger = createMemoryLogger();
    await trustBuilder(await resolved(), { engine, logger });
    expect(logger.lines[0]).toMatch(
      /^↻ buildkitd default config: copied the CA to .* added it to .*buildkitd\.default\.toml$/,
    );
    expect(logger.lines[1]).toMatch(
      /^✔ builder hftb\d+: does not exist yet; when it is created without a config, buildx gives it buildkitd\.default\.toml/,
    );
  });

  it('for a builder created after that: its stored config trusts the CA, nothing else to do', async () => {
    expect((await buildx(['create', '--name', builder, '--driver', 'docker-container'])).exitCode).toBe(0);
    const logger = createMemoryLogger();
    await trustBuilder(await resolved(), { engine, logger });
    expect(logger.lines).toEqual([
      expect.stringMatching(/^✔ buildkitd default config: /),
      `✔ builder ${builder}: its stored buildkitd config trusts the CA (survives recreation)`,
    ]);
  });

  it('for a builder recorded without the CA and no container to fix: says how to recreate it', async () => {
    await buildx(['rm', builder]);
    await rm(join(buildxDir, 'buildkitd.default.toml'));
    expect((await buildx(['create', '--name', builder, '--driver', 'docker-container'])).exitCode).toBe(0);
    const error = await trustBuilder(await resolved({ dryRun: true }), {
      engine,
      logger: createMemoryLogger(),
    }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_BUILDER_NOT_RUNNING')).toBe(true);
    expect((error as Error).message).toContain(`buildx_buildkit_${builder}0 not found`);
    expect((error as { hint: string }).hint).toContain(
      `docker buildx rm ${builder} && docker buildx create --name ${builder}`,
    );
  });

  it('fails with the command that creates a CA when the workspace has none', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'trust-builder-empty-'));
    const context = { root: empty } as ExecutorContext;
    try {
      const result = await trustBuilderExecutor({ builder }, context);
      expect(result).toEqual({ success: false });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    const error = await normalizeOptions({ builder }, join(root, 'nowhere'), {}).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_CA_MISSING')).toBe(true);
    expect((error as { hint: string }).hint).toContain('npx nx g ca');
  });
});
