import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaMaterial, createCa, describeCertificate } from '@homefaas/certificates';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileError } from '../common/file-errors';
import { chooseValidity, ensureServerCertificate, leafPaths, writePlannedFiles } from './ca-files';

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

describe('fileError', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });
  it.each([
    [
      'EACCES',
      'read',
      'ERR_FILE_READ',
      'Cannot read infra/ca/homeCA.pem: permission denied (EACCES).',
      'ls -l infra/ca',
    ],
    [
      'EPERM',
      'write',
      'ERR_FILE_WRITE',
      'Cannot write infra/ca/homeCA.pem: operation not permitted (EPERM).',
      'owner or mode',
    ],
    [
      'EROFS',
      'write',
      'ERR_FILE_WRITE',
      'the file system is read-only (EROFS)',
      'Run where infra/ca is writable',
    ],
    ['ENOSPC', 'write', 'ERR_FILE_WRITE', 'no space left on the device (ENOSPC)', 'df -h infra/ca'],
    ['EDQUOT', 'write', 'ERR_FILE_WRITE', 'the disk quota is exceeded (EDQUOT)', 'quota'],
    ['EISDIR', 'read', 'ERR_FILE_READ', 'it is a folder (EISDIR)', 'Rename the folder infra/ca/homeCA.pem'],
    [
      'ENOTDIR',
      'read',
      'ERR_FILE_READ',
      'a part of its path is a file, not a folder (ENOTDIR)',
      'must be a folder',
    ],
    [
      'EEXIST',
      'write',
      'ERR_FILE_EXISTS',
      'Refusing to write infra/ca/homeCA.pem: the file already exists.',
      'nothing is lost',
    ],
    [
      'EWHATEVER',
      'read',
      'ERR_FILE_READ',
      'Cannot read infra/ca/homeCA.pem: EWHATEVER: something.',
      'Check infra/ca/homeCA.pem',
    ],
  ] as const)('%s on %s → %s', (code, action, homefaasCode, message, hint) => {
    const error = fileError(errno(code), { shown: 'infra/ca/homeCA.pem', action });
    expect(error.code).toBe(homefaasCode);
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
  });

  it('names the file with its label and keeps a given code', () => {
    const error = fileError(errno('EACCES'), {
      shown: 'infra/ca/homeCA.key',
      action: 'read',
      label: 'the CA key',
      code: 'ERR_CA_UNREADABLE',
    });
    expect(error).toMatchObject({
      code: 'ERR_CA_UNREADABLE',
      message: 'Cannot read the CA key infra/ca/homeCA.key: permission denied (EACCES).',
    });
  });
});

describe('writePlannedFiles', () => {
  it('never writes over an exclusive file, and removes the exclusive files it created before the refusal', async () => {
    const key = join(root, 'infra/ca/homeCA.key');
    const cert = join(root, 'infra/ca/homeCA.pem');
    mkdirSync(join(root, 'infra/ca'), { recursive: true });
    writeFileSync(cert, 'a certificate that was there\n');
    const error = await writePlannedFiles(
      [
        { path: key, data: 'new key', mode: 0o600, exclusive: true },
        { path: cert, data: 'new certificate', mode: 0o644, exclusive: true },
      ],
      root,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'ERR_FILE_EXISTS',
      message: 'Refusing to write infra/ca/homeCA.pem: the file already exists.',
    });
    expect(readFileSync(cert, 'utf8')).toBe('a certificate that was there\n');
    expect(() => statSync(key)).toThrow(/ENOENT/);
    expect(readdirSync(join(root, 'infra/ca'))).toEqual(['homeCA.pem']);
  });

  it('creates an exclusive file whole, with its mode from the first byte', async () => {
    const key = join(root, 'k/homeCA.key');
    await writePlannedFiles([{ path: key, data: 'secret', mode: 0o600, exclusive: true }], root);
    expect(readFileSync(key, 'utf8')).toBe('secret');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, 'k'))).toEqual(['homeCA.key']);
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
