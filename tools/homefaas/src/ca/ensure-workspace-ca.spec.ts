import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCa,
  decryptPrivateKey,
  encryptPrivateKey,
  issueServerCertificate,
  keyMatchesCertificate,
} from '@homefaas/certificates';
import { parseHomefaasConfig } from '@homefaas/config';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveRegistrySettings } from '../registry/registry-settings';
import { ensureWorkspaceCa } from './ensure-workspace-ca';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const DAY = 86_400_000;
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-ca-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const settings = (
  env: NodeJS.ProcessEnv = {},
  host = 'docker-registry.home.lan',
  ca: { certPath?: string; keyPath?: string } = {},
) =>
  resolveRegistrySettings(
    {},
    {
      root,
      config: parseHomefaasConfig(JSON.stringify({ registry: { host }, ca })),
      env,
      interactive: false,
    },
  );
const PASS = { HOMEFAAS_CA_PASSPHRASE: 'pass-one-two' };
let shared: { certPem: string; keyText: string };
beforeAll(async () => {
  const ca = await createCa({
    commonName: 'shared',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 400,
    keyBits: 3072,
  });
  shared = { certPem: ca.certPem, keyText: encryptPrivateKey(ca.keyPem, PASS.HOMEFAAS_CA_PASSPHRASE) };
});

/** A CA pair at the default place, as `nx g ca` leaves it (one generated key for every test). */
async function putCa(): Promise<void> {
  await mkdir(join(root, 'infra/ca'), { recursive: true });
  await writeFile(join(root, 'infra/ca/homeCA.pem'), shared.certPem);
  await writeFile(join(root, 'infra/ca/homeCA.key'), shared.keyText, { mode: 0o600 });
}

/** Every file under the root with its bytes and mode: to prove that nothing was written or replaced. */
async function tree(dir = root): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const pairs = await Promise.all(
    files.map(async (file) => [
      file.slice(root.length + 1),
      `${(await stat(file)).mode.toString(8)} ${await readFile(file, 'utf8')}`,
    ]),
  );
  return Object.fromEntries(pairs);
}

async function writeCa(daysLeft: number, leafDaysLeft?: number, leafDays = 100): Promise<void> {
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
      days: leafDays,
      now: new Date(Date.now() - (leafDays - leafDaysLeft) * DAY),
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

  it('warns when the CA (30 days) or the registry certificate (last third) is near its end', async () => {
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

  it('never writes over a CA key: ca.certPath pointing where no CA is, the default key is kept', async () => {
    await putCa();
    const before = await tree();
    const error = await ensureWorkspaceCa(
      settings(PASS, undefined, { certPath: 'infra/pki/root.pem' }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CA_INCOMPLETE' });
    expect((error as Error).message).toContain(
      'infra/ca/homeCA.key exists but its certificate infra/pki/root.pem does not',
    );
    expect(await tree()).toEqual(before);
  });

  it('creates no second CA while the default place has one and homefaas.json points elsewhere', async () => {
    await putCa();
    const before = await tree();
    const moved = { certPath: 'infra/pki/root.pem', keyPath: 'infra/pki/root.key' };
    const error = await ensureWorkspaceCa(settings(PASS, undefined, moved)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CA_ELSEWHERE' });
    expect((error as { hint: string }).hint).toContain('set ca.certPath and ca.keyPath in homefaas.json');
    expect(await tree()).toEqual(before);
  });

  it('creates the CA where homefaas.json says when no CA is anywhere', async () => {
    const moved = { certPath: 'infra/pki/root.pem', keyPath: 'infra/pki/root.key' };
    const result = await ensureWorkspaceCa(settings(PASS, undefined, moved));
    expect(result.detail).toMatch(/^created infra\/pki\/root\.pem .*keep infra\/pki\/root\.key private$/);
    expect(Object.keys(await tree()).sort()).toEqual(['infra/pki/root.key', 'infra/pki/root.pem']);
  });

  it('with allowCreate false, a missing CA is ERR_CA_MISSING naming the file to commit, and nothing is asked or written', async () => {
    let asked = false;
    const base = settings(PASS);
    const ci = {
      ...base,
      secrets: {
        ...base.secrets,
        caPassphrase: async () => {
          asked = true;
          return 'x';
        },
      },
    };
    const error = await ensureWorkspaceCa(ci, { allowCreate: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ERR_CA_MISSING',
      message: 'No CA certificate at infra/ca/homeCA.pem, and this publish may not create one.',
    });
    expect((error as { hint: string }).hint).toMatch(
      /^Commit infra\/ca\/homeCA\.pem: create it once with `npx nx g ca`/,
    );
    expect(asked).toBe(false);
    expect(await tree()).toEqual({});
  });

  it('with allowCreate false, a committed CA certificate without its key is enough', async () => {
    await writeCa(300, 200);
    const result = await ensureWorkspaceCa(settings(), { allowCreate: false });
    expect(result).toMatchObject({ name: 'certificates', changed: false, renewalDue: false });
  });

  it('a damaged CA certificate is ERR_CA_CORRUPT naming the file, not a bare parse error', async () => {
    await writeCa(300);
    const pem = await readFile(join(root, 'infra/ca/homeCA.pem'), 'utf8');
    await writeFile(join(root, 'infra/ca/homeCA.pem'), pem.slice(0, pem.length / 2));
    const error = await ensureWorkspaceCa(settings(PASS)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CA_CORRUPT' });
    expect((error as Error).message).toBe(
      'The CA certificate infra/ca/homeCA.pem is cut short: its "-----END CERTIFICATE-----" line is missing.',
    );
    expect((error as { hint: string }).hint).toContain('git checkout -- infra/ca/homeCA.pem');
  });

  it('flags a CA key open to other users', async () => {
    await putCa();
    await chmod(join(root, 'infra/ca/homeCA.key'), 0o644);
    const logger = createMemoryLogger();
    await ensureWorkspaceCa(settings(), { logger });
    expect(logger.lines).toContainEqual(
      expect.stringMatching(
        /^warn: The CA key infra\/ca\/homeCA\.key is open to every user \(mode 0644\)\. Run chmod 600/,
      ),
    );
  });

  it('a 20-day registry certificate with 15 days left is not due (renewal follows its own lifetime)', async () => {
    await writeCa(300, 15, 20);
    const logger = createMemoryLogger();
    const result = await ensureWorkspaceCa(settings(), { logger });
    expect(result.renewalDue).toBe(false);
    expect(logger.lines).toEqual([]);
    await writeCa(300, 6, 20);
    expect((await ensureWorkspaceCa(settings())).renewalDue).toBe(true);
  });

  it('a damaged registry certificate is due, with a warning naming it', async () => {
    await writeCa(300, 50);
    await writeFile(join(root, 'infra/registry/certs/docker-registry.home.lan.crt'), 'lost\n');
    const logger = createMemoryLogger();
    const result = await ensureWorkspaceCa(settings(), { logger });
    expect(result.renewalDue).toBe(true);
    expect(logger.lines).toEqual([
      expect.stringMatching(
        /^warn: The registry certificate infra\/registry\/certs\/docker-registry\.home\.lan\.crt has no "-----BEGIN" line.*: the registry step reissues it now/,
      ),
    ]);
  });
});
