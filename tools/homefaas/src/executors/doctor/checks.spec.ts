import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHomefaasConfig } from '@homefaas/config';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { createEngine } from '@homefaas/docker-engine';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../../test/support/free-port';
import { resolveRegistrySettings } from '../../registry/registry-settings';
import { runDoctorChecks } from './checks';
import { reportChecks } from './executor';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('runDoctorChecks in an empty workspace', () => {
  it('reports every check failed, each with a hint, and throws nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'homefaas-doctor-'));
    roots.push(root);
    const settings = resolveRegistrySettings(
      {
        host: 'localhost',
        port: await freePort(),
        certsDir: join(root, 'certs.d'),
        dockerConfig: join(root, 'docker'),
      },
      { root, config: parseHomefaasConfig(undefined), env: {}, interactive: false },
    );
    const results = await runDoctorChecks(settings, {
      engine: () => createEngine({ socketPath: join(root, 'no-docker.sock') }),
    });
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['CA', false],
      ['registry certificate', false],
      ['name resolves', true],
      ['registry reachable', false],
      ['TLS verified', false],
      ['certificate served', false],
      ['auth accepted', false],
      ['daemon trusts the CA', false],
      ['logged in', false],
    ]);
    expect(results.filter((r) => !r.ok).every((r) => r.hint)).toBe(true);
    expect(results[0]).toMatchObject({
      detail: 'infra/ca/homeCA.pem does not exist',
      hint: 'Create one with `npx nx g ca`.',
    });
    expect(results[3]?.detail).toContain('connection refused');
    expect(results[3]?.detail).toContain('Docker: The Docker daemon does not answer');
  });

  it('says when the registry name does not resolve, with the /etc/hosts line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'homefaas-doctor-'));
    roots.push(root);
    const settings = resolveRegistrySettings(
      { port: await freePort(), certsDir: join(root, 'certs.d'), dockerConfig: join(root, 'docker') },
      { root, config: parseHomefaasConfig(undefined), env: {}, interactive: false },
    );
    const results = await runDoctorChecks(settings, {
      engine: () => createEngine({ socketPath: join(root, 'no-docker.sock') }),
      lookup: async (host) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
    });
    const name = results.find((r) => r.name === 'name resolves');
    expect(name?.ok).toBe(false);
    expect(name?.hint).toContain('"127.0.0.1 docker-registry.home.lan"');
  });
});

describe('reportChecks', () => {
  it('prints ✔ and ✖ lines, a hint under each failure, and fails when any check failed', () => {
    const logger = createMemoryLogger();
    const error = (() => {
      try {
        reportChecks(logger, [
          { name: 'CA', ok: true, detail: 'fine' },
          { name: 'logged in', ok: false, detail: 'no login', hint: 'Run it.' },
        ]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(logger.lines).toEqual(['✔ CA: fine', '✖ logged in: no login', '  → Run it.']);
    expect(isHomefaasError(error, 'ERR_DOCTOR_FAILED')).toBe(true);
    expect((error as Error).message).toBe('1 of 2 checks failed.');
  });

  it('passes when every check passed', () => {
    expect(() =>
      reportChecks(createMemoryLogger(), [{ name: 'CA', ok: true, detail: 'fine' }]),
    ).not.toThrow();
  });
});
