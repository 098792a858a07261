import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaMaterial, createCa, describeCertificate } from '@homefaas/certificates';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseValidity, ensureServerCertificate, leafPaths } from './server-certificate';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

let ca: CaMaterial;
let otherCa: CaMaterial;
let root: string;
const roots: string[] = [];

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([
    createCa({
      commonName: 'files CA',
      permittedDomains: ['home.lan'],
      permittedIps: ['127.0.0.1/32'],
      days: 3650,
      keyBits: 3072,
    }),
    createCa({
      commonName: 'other CA',
      permittedDomains: ['home.lan'],
      permittedIps: [],
      days: 3650,
      keyBits: 3072,
    }),
  ]);
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'homefaas-ca-files-'));
  roots.push(root);
});
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

function snapshot(paths: string[]): string[] {
  return paths.map((path) => readFileSync(path, 'utf8'));
}

describe('ensureServerCertificate', () => {
  const request = { domain: 'docker-registry.home.lan', dnsNames: [], ips: ['127.0.0.1'], days: 397 };

  it('issues the certificate, its 0600 key and the full chain, which openssl verifies', async () => {
    const result = await ensureServerCertificate(root, ca, request);
    expect(result.changed).toBe(true);
    expect(result.detail).toContain('no certificate yet');
    expect(result.paths).toEqual(leafPaths(root, 'docker-registry.home.lan'));
    expect(result.paths.cert).toBe(join(root, 'infra/certs/docker-registry.home.lan.crt'));
    expect(statSync(result.paths.key).mode & 0o777).toBe(0o600);
    const caFile = join(root, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    const verify = spawnSync('openssl', ['verify', '-CAfile', caFile, result.paths.cert], {
      encoding: 'utf8',
    });
    expect(verify.stdout).toContain(': OK');
    const info = describeCertificate(readFileSync(result.paths.cert, 'utf8'));
    expect(info.dnsNames).toEqual(['docker-registry.home.lan']);
    expect(info.ips).toEqual(['127.0.0.1']);
  });

  it('leaves a good certificate byte-identical and says so', async () => {
    const first = await ensureServerCertificate(root, ca, request);
    const files = [first.paths.cert, first.paths.key, first.paths.fullchain];
    const before = snapshot(files);
    const again = await ensureServerCertificate(root, ca, { ...request, ips: ['127.0.0.1'] });
    expect(again.changed).toBe(false);
    expect(again.detail).toContain('unchanged');
    expect(snapshot(files)).toEqual(before);
  });

  it.each([
    ['renewal requested', { renew: true }, () => {}],
    ['names changed', { dnsNames: ['alias.home.lan'] }, () => {}],
    ['names changed', { ips: [] }, () => {}],
    ['days left', { now: new Date(Date.now() + 370 * 86_400_000) }, () => {}],
    ['its key is missing', {}, (paths: ReturnType<typeof leafPaths>) => unlinkSync(paths.key)],
    ['full chain', {}, (paths: ReturnType<typeof leafPaths>) => writeFileSync(paths.fullchain, 'stale')],
    ['does not parse', {}, (paths: ReturnType<typeof leafPaths>) => writeFileSync(paths.cert, 'garbage')],
  ])('reissues when %s', async (reason, override, damage) => {
    const first = await ensureServerCertificate(root, ca, request);
    damage(first.paths);
    const before = readFileSync(first.paths.cert, 'utf8');
    const result = await ensureServerCertificate(root, ca, { ...request, ...override });
    expect(result.changed).toBe(true);
    expect(result.detail).toContain(reason);
    expect(readFileSync(first.paths.cert, 'utf8')).not.toBe(before);
  });

  it('reissues when the certificate was signed by another CA', async () => {
    await ensureServerCertificate(root, otherCa, request);
    const result = await ensureServerCertificate(root, ca, request);
    expect(result).toMatchObject({ changed: true });
    expect(result.detail).toContain('fails verification');
  });

  it('reissues when the key belongs to another certificate', async () => {
    const first = await ensureServerCertificate(root, ca, request);
    const other = await ensureServerCertificate(root, ca, { ...request, domain: 'other.home.lan' });
    writeFileSync(first.paths.key, readFileSync(other.paths.key));
    const result = await ensureServerCertificate(root, ca, request);
    expect(result.detail).toContain('key does not match');
  });

  it('writes nothing on a dry run but says what would change', async () => {
    const result = await ensureServerCertificate(root, ca, { ...request, dryRun: true });
    expect(result.changed).toBe(true);
    expect(() => statSync(result.paths.cert)).toThrow();
  });

  it('writes into another folder for other users (the registry)', async () => {
    const result = await ensureServerCertificate(root, ca, { ...request, dir: 'infra/registry/certs' });
    expect(result.paths.cert).toBe(join(root, 'infra/registry/certs/docker-registry.home.lan.crt'));
    expect(statSync(result.paths.fullchain).isFile()).toBe(true);
  });

  it('refuses names outside the CA constraints before writing', async () => {
    await expect(ensureServerCertificate(root, ca, { ...request, ips: ['10.0.0.1'] })).rejects.toMatchObject({
      code: 'ERR_CERT_CONSTRAINTS',
    });
    expect(() => statSync(join(root, 'infra/certs'))).toThrow();
  });
});

describe('chooseValidity', () => {
  it.each([
    [30, 20, 30, '(as configured)'],
    [undefined, 20, 20, 'like the one it replaces'],
    [undefined, 1, 1, 'like the one it replaces'],
    [undefined, undefined, 397, '(the default)'],
    [undefined, 3650, 825, 'the one it replaces was valid 3650 days; 825 is the most clients accept'],
  ])('asked %s, current %s → %i days %s', (asked, current, days, why) => {
    expect(chooseValidity(asked, current)).toEqual({ days, why: expect.stringContaining(why) });
  });
});

describe('reading certificate files', () => {
  it('a path through a file is ERR_FILE_READ naming the certificate, not a bare ENOTDIR', async () => {
    writeFileSync(join(root, 'infra'), 'not a folder');
    const error = await ensureServerCertificate(root, ca, {
      domain: 'docker-registry.home.lan',
      dnsNames: [],
      ips: [],
      days: 30,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'ERR_FILE_READ',
      message:
        'Cannot read infra/certs/docker-registry.home.lan.crt: a part of its path is a file, not a folder (ENOTDIR).',
    });
  });
});
