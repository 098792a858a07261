import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CaMaterial,
  createCa,
  issueServerCertificate,
  verifyServerCertificate,
} from '@homefaas/certificates';
import { type HomefaasError, isHomefaasError } from '@homefaas/core';
import { setUser, verifyUser } from '@homefaas/htpasswd';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { certificateProblem, ensureHtpasswd, ensureRegistryCertificate } from './registry-files';

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
      '20 days left',
      async () => issue(ca, { days: 397, now: new Date(Date.now() - 377 * DAY) }),
      'days left',
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
    expect(text).toMatch(/^homefaas:\$2y\$10\$/);
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
