import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CaMaterial,
  createCa,
  describeCertificate,
  issueServerCertificate,
  verifyServerCertificate,
} from '@homefaas/certificates';
import { type HomefaasError, isHomefaasError } from '@homefaas/core';
import { costOf, DEFAULT_BCRYPT_COST, setUser, verifyUser } from '@homefaas/htpasswd';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { certificateProblem, ensureHtpasswd, ensureRegistryCertificate } from './registry-files';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const HOST = 'docker-registry.home.lan';
const DAY = 86_400_000;
let ca: CaMaterial;
let otherCa: CaMaterial;
let root: string;
const roots: string[] = [];

beforeAll(async () => {
  const constraints = {
    permittedDomains: ['home.lan'],
    permittedIps: ['127.0.0.0/8'],
    days: 3650,
    keyBits: 3072 as const,
  };
  [ca, otherCa] = await Promise.all([
    createCa({ commonName: 'registry files CA', ...constraints }),
    createCa({ commonName: 'another CA', ...constraints }),
  ]);
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'homefaas-registry-files-'));
  roots.push(root);
});
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

describe('certificateProblem', () => {
  const issue = (
    signer: CaMaterial,
    options: { dnsNames?: string[]; ips?: string[]; days?: number; now?: Date } = {},
  ) =>
    issueServerCertificate(signer, {
      dnsNames: options.dnsNames ?? [HOST],
      ips: options.ips ?? ['127.0.0.1'],
      days: options.days ?? 397,
      now: options.now,
    });

  it('finds nothing wrong with a fresh certificate for the host and IPs, signed by the CA', async () => {
    const leaf = await issue(ca);
    expect(
      certificateProblem({
        certPem: leaf.certPem,
        keyPem: leaf.keyPem,
        caPem: ca.certPem,
        host: HOST,
        ips: ['127.0.0.1'],
      }),
    ).toBeUndefined();
  });

  it.each([
    ['no certificate', async () => ({ certPem: undefined, keyPem: undefined }), 'no certificate yet'],
    ['no key', async () => ({ certPem: (await issue(ca)).certPem, keyPem: undefined }), 'its key is missing'],
    ['another CA', async () => issue(otherCa), 'not issued by this CA'],
    [
      'another host',
      async () => issue(ca, { dnsNames: ['other.home.lan'] }),
      `${HOST} is not among its DNS names`,
    ],
    [
      'an extra name',
      async () => issue(ca, { dnsNames: [HOST, 'x.home.lan'] }),
      'names changed (has docker-registry.home.lan, x.home.lan, 127.0.0.1)',
    ],
    ['other IPs', async () => issue(ca, { ips: [] }), 'names changed'],
    [
      'a foreign key',
      async () => ({ certPem: (await issue(ca)).certPem, keyPem: (await issue(ca)).keyPem }),
      'its key does not match',
    ],
    [
      'the last third of its life',
      async () => issue(ca, { days: 397, now: new Date(Date.now() - 270 * DAY) }),
      '126 of its 397 days left: renewed in the last third',
    ],
    ['expired', async () => issue(ca, { days: 30, now: new Date(Date.now() - 40 * DAY) }), 'expired'],
  ])('reports %s', async (_label, make, expected) => {
    const { certPem, keyPem } = await make();
    const problem = certificateProblem({
      certPem,
      keyPem,
      caPem: ca.certPem,
      host: HOST,
      ips: ['127.0.0.1'],
    });
    expect(problem).toContain(expected);
  });
});

describe('ensureRegistryCertificate', () => {
  const options = (loads: { count: number }) => ({
    root,
    host: HOST,
    ips: ['127.0.0.1'],
    dir: 'infra/registry/certs',
    days: 397,
    caPem: ca.certPem,
    loadCa: async () => {
      loads.count += 1;
      return ca;
    },
  });

  it('issues the certificate and key (0600) when missing, then keeps them without loading the CA key', async () => {
    const loads = { count: 0 };
    const first = await ensureRegistryCertificate(options(loads));
    expect(first).toMatchObject({ changed: true, detail: expect.stringContaining('no certificate yet') });
    expect(loads.count).toBe(1);
    const certPem = readFileSync(join(root, 'infra/registry/certs', `${HOST}.crt`), 'utf8');
    expect(verifyServerCertificate(certPem, ca.certPem, { host: HOST, ip: '127.0.0.1' }).ok).toBe(true);
    expect(statSync(join(root, 'infra/registry/certs', `${HOST}.key`)).mode & 0o777).toBe(0o600);

    const second = await ensureRegistryCertificate(options(loads));
    expect(second.changed).toBe(false);
    expect(loads.count).toBe(1);
    expect(readFileSync(join(root, 'infra/registry/certs', `${HOST}.crt`), 'utf8')).toBe(certPem);
  });

  /** Puts a registry certificate valid `days` days, issued `age` days ago, where ensureRegistryCertificate looks. */
  async function putLeaf(days: number, age: number): Promise<void> {
    const leaf = await issueServerCertificate(ca, {
      dnsNames: [HOST],
      ips: ['127.0.0.1'],
      days,
      now: new Date(Date.now() - age * DAY),
    });
    mkdirSync(join(root, 'infra/registry/certs'), { recursive: true });
    writeFileSync(join(root, 'infra/registry/certs', `${HOST}.crt`), leaf.certPem);
    writeFileSync(join(root, 'infra/registry/certs', `${HOST}.key`), leaf.keyPem, { mode: 0o600 });
  }
  const lifetimeDays = () => {
    const info = describeCertificate(readFileSync(join(root, 'infra/registry/certs', `${HOST}.crt`), 'utf8'));
    return Math.round((info.notAfter.getTime() - info.notBefore.getTime()) / DAY);
  };

  it('keeps a 20-day certificate with 12 days left: renewal follows its own lifetime, not a fixed 30 days', async () => {
    await putLeaf(20, 8);
    const loads = { count: 0 };
    const result = await ensureRegistryCertificate(options(loads));
    expect(result.changed).toBe(false);
    expect(loads.count).toBe(0);
  });

  it('reissues a due 20-day certificate for 20 days when no validity is configured, and says so', async () => {
    await putLeaf(20, 15);
    const result = await ensureRegistryCertificate({ ...options({ count: 0 }), days: undefined });
    expect(result.detail).toMatch(
      /valid 20 days like the one it replaces \(4 of its 20 days left: renewed in the last third\)$/,
    );
    expect(lifetimeDays()).toBe(20);
  });

  it('reissues it for the configured validity, and says that it is the configured one', async () => {
    await putLeaf(20, 15);
    const result = await ensureRegistryCertificate(options({ count: 0 }));
    expect(result.detail).toContain('valid 397 days (as configured)');
    expect(lifetimeDays()).toBe(397);
  });

  it('reissues a certificate of another CA', async () => {
    const foreign = await issueServerCertificate(otherCa, {
      dnsNames: [HOST],
      ips: ['127.0.0.1'],
      days: 397,
    });
    mkdirSync(join(root, 'infra/registry/certs'), { recursive: true });
    writeFileSync(join(root, 'infra/registry/certs', `${HOST}.crt`), foreign.certPem);
    writeFileSync(join(root, 'infra/registry/certs', `${HOST}.key`), foreign.keyPem);
    const loads = { count: 0 };
    const result = await ensureRegistryCertificate(options(loads));
    expect(result.detail).toContain('not issued by this CA');
    expect(loads.count).toBe(1);
    const certPem = readFileSync(join(root, 'infra/registry/certs', `${HOST}.crt`), 'utf8');
    expect(verifyServerCertificate(certPem, ca.certPem, { host: HOST }).ok).toBe(true);
  });
});

describe('ensureHtpasswd', () => {
  const file = () => join(root, 'infra/registry/auth/registry.password');

  it('adds the user (file mode 0600), then finds the password in place', async () => {
    const first = await ensureHtpasswd({ file: file(), root, user: 'homefaas', password: 'first-pw' });
    expect(first).toEqual({
      name: 'htpasswd',
      changed: true,
      detail: 'added user homefaas in infra/registry/auth/registry.password',
    });
    const text = readFileSync(file(), 'utf8');
    expect(text).toMatch(new RegExp(`^homefaas:\\$2y\\$${String(DEFAULT_BCRYPT_COST).padStart(2, '0')}\\$`));
    expect(verifyUser(text, 'homefaas', 'first-pw')).toBe(true);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(
      (await ensureHtpasswd({ file: file(), root, user: 'homefaas', password: 'first-pw' })).changed,
    ).toBe(false);
    expect(readFileSync(file(), 'utf8')).toBe(text);
  });

  function fileWith(...users: [string, string][]): string {
    const text = users.reduce((all, [user, password]) => setUser(all, user, password, { cost: 4 }), '');
    mkdirSync(join(root, 'infra/registry/auth'), { recursive: true });
    writeFileSync(file(), text, { mode: 0o600 });
    return text;
  }

  it('hashes a right password of another bcrypt cost again at the default cost, other users untouched', async () => {
    const before = fileWith(['alice', 'alice-pw'], ['homefaas', 'the-pw']);
    const result = await ensureHtpasswd({ file: file(), root, user: 'homefaas', password: 'the-pw' });
    expect(result).toEqual({
      name: 'htpasswd',
      changed: true,
      detail: `hashed the password of user homefaas in infra/registry/auth/registry.password again at bcrypt cost ${DEFAULT_BCRYPT_COST} (was 4), as htpasswd -B does`,
    });
    const text = readFileSync(file(), 'utf8');
    expect(text.startsWith(before.slice(0, before.indexOf('homefaas:')))).toBe(true);
    expect(costOf(text, 'homefaas')).toBe(DEFAULT_BCRYPT_COST);
    expect(verifyUser(text, 'homefaas', 'the-pw')).toBe(true);
    expect((await ensureHtpasswd({ file: file(), root, user: 'homefaas', password: 'the-pw' })).changed).toBe(
      false,
    );
  });

  it('refuses another password for an existing user and leaves the file byte-identical', async () => {
    const before = fileWith(['alice', 'alice-pw'], ['homefaas', 'old-pw']);
    const error = await ensureHtpasswd({ file: file(), root, user: 'homefaas', password: 'typo-pw-7' }).catch(
      (e: unknown) => e,
    );
    expect(isHomefaasError(error, 'ERR_REGISTRY_PASSWORD_MISMATCH')).toBe(true);
    const { message, hint } = error as HomefaasError;
    expect(message).toBe(
      'REGISTRY_PASSWORD is not the password of user homefaas in infra/registry/auth/registry.password.',
    );
    expect(hint).toBe(
      'Check REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE). To change the registry password on purpose, run `npx nx run infra:registry-up --changePassword`, then update the OpenFaaS hosts (`npx nx g node-trust ...`).',
    );
    expect(`${message} ${hint}`).not.toContain('typo-pw-7');
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });

  it("with changePassword replaces the user's password and leaves other users' lines byte-identical", async () => {
    const before = fileWith(['alice', 'alice-pw'], ['homefaas', 'old-pw']);
    const alice = before.slice(0, before.indexOf('homefaas:'));
    expect(alice).toMatch(/^alice:/);
    const result = await ensureHtpasswd({
      file: file(),
      root,
      user: 'homefaas',
      password: 'new-pw',
      changePassword: true,
    });
    expect(result).toEqual({
      name: 'htpasswd',
      changed: true,
      detail: 'updated the password of user homefaas in infra/registry/auth/registry.password',
    });
    const text = readFileSync(file(), 'utf8');
    expect(text.startsWith(alice)).toBe(true);
    expect(verifyUser(text, 'homefaas', 'new-pw')).toBe(true);
    expect(verifyUser(text, 'homefaas', 'old-pw')).toBe(false);
  });

  it("adds a missing user without changePassword, keeping other users' lines", async () => {
    const alice = fileWith(['alice', 'alice-pw']);
    const result = await ensureHtpasswd({ file: file(), root, user: 'homefaas', password: 'first-pw' });
    expect(result.detail).toBe('added user homefaas in infra/registry/auth/registry.password');
    const text = readFileSync(file(), 'utf8');
    expect(text.startsWith(alice)).toBe(true);
    expect(verifyUser(text, 'homefaas', 'first-pw')).toBe(true);
    expect(verifyUser(text, 'alice', 'alice-pw')).toBe(true);
  });
});
