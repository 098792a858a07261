import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCa,
  decryptPrivateKey,
  issueServerCertificate,
  keyMatchesCertificate,
} from '@homefaas/certificates';
import { parseHomefaasConfig } from '@homefaas/config';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureWorkspaceCa } from './publish-ca';
import { resolveRegistrySettings } from './registry-settings';

const DAY = 86_400_000;
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-ca-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const settings = (env: NodeJS.ProcessEnv = {}, host = 'docker-registry.home.lan') =>
  resolveRegistrySettings(
    {},
    { root, config: parseHomefaasConfig(JSON.stringify({ registry: { host } })), env, interactive: false },
  );

async function writeCa(daysLeft: number, leafDaysLeft?: number): Promise<void> {
  const now = new Date(Date.now() - (400 - daysLeft) * DAY);
  const ca = await createCa({
    commonName: 't',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 400,
    keyBits: 3072,
    now,
  });
  await mkdir(join(root, 'infra/ca'), { recursive: true });
  await writeFile(join(root, 'infra/ca/homeCA.pem'), ca.certPem);
  if (leafDaysLeft !== undefined) {
    const leaf = await issueServerCertificate(ca, {
      dnsNames: ['docker-registry.home.lan'],
      ips: [],
      days: 100,
      now: new Date(Date.now() - (100 - leafDaysLeft) * DAY),
    });
    await mkdir(join(root, 'infra/registry/certs'), { recursive: true });
    await writeFile(join(root, 'infra/registry/certs/docker-registry.home.lan.crt'), leaf.certPem);
  }
}

describe('ensureWorkspaceCa', () => {
  it('creates the CA with the generator defaults when a passphrase is given, then finds it in place', async () => {
    const first = await ensureWorkspaceCa(settings({ HOMEFAAS_CA_PASSPHRASE: 'pass-one-two' }));
    expect(first).toMatchObject({ name: 'CA', changed: true });
    expect(first.detail).toMatch(
      /^created infra\/ca\/homeCA\.pem \(CN=homefaas CA, names under home\.lan, home\.arpa/,
    );
    const cert = await readFile(join(root, 'infra/ca/homeCA.pem'), 'utf8');
    const key = await readFile(join(root, 'infra/ca/homeCA.key'), 'utf8');
    expect(key).toContain('ENCRYPTED PRIVATE KEY');
    expect(keyMatchesCertificate(decryptPrivateKey(key, 'pass-one-two'), cert)).toBe(true);
    expect((await stat(join(root, 'infra/ca/homeCA.key'))).mode & 0o777).toBe(0o600);
    const second = await ensureWorkspaceCa(settings());
    expect(second).toMatchObject({ name: 'certificates', changed: false });
  });

  it('says how to create one when there is no CA and no passphrase, and writes nothing', async () => {
    const error = await ensureWorkspaceCa(settings()).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_CA_MISSING')).toBe(true);
    expect((error as { hint: string }).hint).toContain('HOMEFAAS_CA_PASSPHRASE');
    await expect(stat(join(root, 'infra/ca'))).rejects.toThrow(/ENOENT/);
  });

  it('does not create a CA that could not sign the registry host', async () => {
    const error = await ensureWorkspaceCa(
      settings({ HOMEFAAS_CA_PASSPHRASE: 'x' }, 'registry.example.org'),
    ).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_CA_MISSING')).toBe(true);
    expect((error as { hint: string }).hint).toContain('--permittedDomains example.org');
  });

  it('plans the creation on a dry run', async () => {
    const result = await ensureWorkspaceCa(settings({ HOMEFAAS_CA_PASSPHRASE: 'x' }), { dryRun: true });
    expect(result).toMatchObject({
      changed: true,
      detail: 'infra/ca/homeCA.pem does not exist: would create it',
    });
    await expect(stat(join(root, 'infra/ca'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses an expired CA, naming the date and the rotate command', async () => {
    await writeCa(-2);
    const error = await ensureWorkspaceCa(settings()).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_CA_EXPIRED')).toBe(true);
    expect((error as Error).message).toMatch(
      /^The CA infra\/ca\/homeCA\.pem expired on \d{4}-\d{2}-\d{2}\.$/,
    );
    expect((error as { hint: string }).hint).toContain('npx nx g ca --rotate');
  });

  it('warns when the CA or the registry certificate expires within 30 days', async () => {
    await writeCa(10, 5);
    const logger = createMemoryLogger();
    const result = await ensureWorkspaceCa(settings(), { logger });
    expect(result.changed).toBe(false);
    expect(result.detail).toMatch(/valid until .*; registry certificate until /);
    expect(logger.lines).toEqual([
      expect.stringMatching(
        /^warn: The CA infra\/ca\/homeCA\.pem expires on .*: rotate it soon with `npx nx g ca --rotate`/,
      ),
      expect.stringMatching(
        /^warn: The registry certificate expires on .*: the registry step reissues it now/,
      ),
    ]);
    const quiet = createMemoryLogger();
    await writeCa(300, 60);
    await ensureWorkspaceCa(settings(), { logger: quiet });
    expect(quiet.lines).toEqual([]);
  });
});
