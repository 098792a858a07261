import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from '@homefaas/certificates';
import { isHomefaasError } from '@homefaas/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { normalizeOptions } from './executor';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'homefaas-trust-builder-'));
  mkdirSync(join(root, 'infra/ca'), { recursive: true });
  const ca = await createCa({
    commonName: 'trust-builder CA',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 30,
    keyBits: 3072,
  });
  writeFileSync(join(root, 'infra/ca/homeCA.pem'), ca.certPem);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('trust-builder normalizeOptions', () => {
  it.each([
    ['--builder', { builder: 'multiarch; docker rm -f registry' }],
    ['--builder', { builder: '-multiarch' }],
    ['--container', { builder: 'multiarch', container: 'buildx_buildkit_multiarch0 && reboot' }],
  ])('refuses a %s that is not a name, since hints name it in commands', async (option, options) => {
    const error = await normalizeOptions(options, root, {}).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_OPTION_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^${option} ".*" is not a valid name\\.$`));
  });

  it('takes names Docker and buildx accept', async () => {
    const resolved = await normalizeOptions({ builder: 'multi.arch_2', container: 'c-1' }, root, {});
    expect(resolved).toMatchObject({ builder: 'multi.arch_2', containers: ['c-1'] });
  });
});
