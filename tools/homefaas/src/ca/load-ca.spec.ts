import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CaMaterial, createCa, encryptPrivateKey, issueServerCertificate } from '@homefaas/certificates';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CaLocation, DEFAULT_CA_PATHS, resolveCaLocation } from './ca-location';
import {
  assertNoCaAnywhere,
  caKeyModeProblem,
  readCaCertificate,
  readCaKeyIfPresent,
  unlockCa,
} from './load-ca';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const PASSPHRASE = 'workspace-ca passphrase';
const CERT = DEFAULT_CA_PATHS.certPath;
const KEY = DEFAULT_CA_PATHS.keyPath;
let ca: CaMaterial;
let otherCa: CaMaterial;
let leafPem: string;
let encryptedKey: string;
let root: string;
let location: CaLocation;
const roots: string[] = [];

beforeAll(async () => {
  [ca, otherCa] = (await Promise.all(
    ['workspace CA', 'other CA'].map((commonName) =>
      createCa({ commonName, permittedDomains: ['home.lan'], permittedIps: [], days: 3650, keyBits: 3072 }),
    ),
  )) as [CaMaterial, CaMaterial];
  leafPem = (await issueServerCertificate(ca, { dnsNames: ['leaf.home.lan'], ips: [], days: 10 })).certPem;
  encryptedKey = encryptPrivateKey(ca.keyPem, PASSPHRASE);
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'homefaas-load-ca-'));
  roots.push(root);
  location = resolveCaLocation(root);
});
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

function put(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text, { mode });
  chmodSync(join(root, path), mode);
}

async function failure(
  action: () => Promise<unknown>,
): Promise<{ code: string; message: string; hint: string }> {
  try {
    await action();
  } catch (error) {
    return error as { code: string; message: string; hint: string };
  }
  throw new Error('expected a failure');
}

describe('reading the CA certificate: each problem its own code, the file and what to do', () => {
  const der = () => Buffer.from(ca.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('latin1');
  it.each<[string, string, () => void, string, string]>([
    ['missing', 'ERR_CA_MISSING', () => {}, 'does not exist', 'npx nx g ca'],
    [
      'a folder',
      'ERR_CA_UNREADABLE',
      () => mkdirSync(join(root, CERT), { recursive: true }),
      'it is a folder (EISDIR)',
      'point the setting at a file',
    ],
    ['under a file', 'ERR_CA_UNREADABLE', () => put('infra', 'x'), '(ENOTDIR)', 'must be a folder'],
    ['empty', 'ERR_CA_NOT_PEM', () => put(CERT, ''), 'is empty', 'git checkout -- infra/ca/homeCA.pem'],
    [
      'prose',
      'ERR_CA_NOT_PEM',
      () => put(CERT, 'ask Bob for the CA\n'),
      'has no "-----BEGIN" line',
      'in PEM',
    ],
    ['DER', 'ERR_CA_NOT_PEM', () => put(CERT, der()), 'is binary (DER?)', 'openssl x509 -inform der'],
    [
      'the key',
      'ERR_CA_NOT_PEM',
      () => put(CERT, encryptedKey),
      'holds a PEM ENCRYPTED PRIVATE KEY',
      'swapped',
    ],
    [
      'cut short',
      'ERR_CA_CORRUPT',
      () => put(CERT, ca.certPem.slice(0, 900)),
      'is cut short',
      'git checkout --',
    ],
    [
      'a line lost',
      'ERR_CA_CORRUPT',
      () => put(CERT, ca.certPem.replace(/\n[^\n]+\n/, '\n')),
      'damaged',
      '--rotate',
    ],
    [
      'a server certificate',
      'ERR_CA_NOT_CA',
      () => put(CERT, leafPem),
      'is not a CA certificate',
      'not a server certificate',
    ],
  ])('%s → %s', async (_label, code, arrange, message, hint) => {
    arrange();
    const error = await failure(() => readCaCertificate(location));
    expect(error.code).toBe(code);
    expect(error.message).toContain('infra/ca/homeCA.pem');
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
  });

  it('a file only another user may read is ERR_CA_UNREADABLE with EACCES (checked as user nobody)', () => {
    chmodSync(root, 0o755);
    put(CERT, ca.certPem, 0o600);
    const script = join(root, 'read-ca.ts');
    writeFileSync(
      script,
      `import { resolveCaLocation } from ${JSON.stringify(join(__dirname, 'ca-location'))};
import { readCaCertificate } from ${JSON.stringify(join(__dirname, 'load-ca'))};
readCaCertificate(resolveCaLocation(${JSON.stringify(root)})).then(
  () => console.log('{}'),
  (e) => console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })),
);`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      uid: 65534,
      gid: 65534,
      cwd: join(__dirname, '../../../..'),
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      code: 'ERR_CA_UNREADABLE',
      message: 'Cannot read the CA certificate infra/ca/homeCA.pem: permission denied (EACCES).',
      hint: 'Run as a user who may read it (ls -l infra/ca), or change its owner or mode.',
    });
  });
});

describe('unlocking the CA key: each problem its own code, the file and what to do', () => {
  it('decrypts the key and checks it belongs to the certificate', async () => {
    put(KEY, encryptedKey, 0o600);
    await expect(unlockCa(location, ca.certPem, PASSPHRASE)).resolves.toEqual(ca);
  });

  it.each<[string, string, () => void, string, string]>([
    ['missing', 'ERR_CA_KEY_MISSING', () => {}, 'does not exist', 'restore it from your backup'],
    [
      'a folder',
      'ERR_CA_UNREADABLE',
      () => mkdirSync(join(root, KEY), { recursive: true }),
      'EISDIR',
      'point the setting',
    ],
    [
      'cut short',
      'ERR_CA_KEY_CORRUPT',
      () => put(KEY, encryptedKey.slice(0, 1500), 0o600),
      'is cut short',
      'whatever the passphrase',
    ],
    [
      'a line lost',
      'ERR_CA_KEY_CORRUPT',
      () => put(KEY, encryptedKey.replace(/\n[^\n]+\n/, '\n'), 0o600),
      'damaged',
      'restore it from your backup',
    ],
    [
      'not a key',
      'ERR_CA_KEY_NOT_PEM',
      () => put(KEY, 'key is on the USB stick\n', 0o600),
      'has no "-----BEGIN" line',
      'ca.keyPath',
    ],
    [
      'the certificate',
      'ERR_CA_KEY_NOT_PEM',
      () => put(KEY, ca.certPem, 0o600),
      'holds a PEM CERTIFICATE',
      'swapped',
    ],
    [
      'wrong passphrase',
      'ERR_CA_PASSPHRASE',
      () => put(KEY, encryptPrivateKey(ca.keyPem, 'another'), 0o600),
      'wrong passphrase',
      'HOMEFAAS_CA_PASSPHRASE',
    ],
    [
      'another CA key',
      'ERR_CA_MISMATCH',
      () => put(KEY, encryptPrivateKey(otherCa.keyPem, PASSPHRASE), 0o600),
      'is not the key of infra/ca/homeCA.pem',
      '--rotate',
    ],
  ])('%s → %s', async (_label, code, arrange, message, hint) => {
    arrange();
    const error = await failure(() => unlockCa(location, ca.certPem, PASSPHRASE));
    expect(error.code).toBe(code);
    expect(error.message).toContain('infra/ca/homeCA.key');
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
    expect(`${error.message} ${error.hint}`).not.toContain(PASSPHRASE);
  });

  it('a cut key is reported without any passphrase, by reading alone', async () => {
    put(KEY, encryptedKey.slice(0, 1500), 0o600);
    expect((await failure(() => readCaKeyIfPresent(location))).code).toBe('ERR_CA_KEY_CORRUPT');
  });
});

describe('caKeyModeProblem', () => {
  it.each([
    [0o644, 'is open to every user (mode 0644)'],
    [0o640, 'is open to its group (mode 0640)'],
    [0o604, 'is open to every user (mode 0604)'],
  ])('mode %o: %s, with chmod 600', async (mode, problem) => {
    put(KEY, encryptedKey, mode);
    expect(await caKeyModeProblem(location)).toEqual({
      problem: `The CA key infra/ca/homeCA.key ${problem}`,
      fix: expect.stringMatching(/^Run chmod 600 infra\/ca\/homeCA\.key;/),
    });
  });

  it('mode 0600, or no key on this machine, is fine', async () => {
    expect(await caKeyModeProblem(location)).toBeUndefined();
    put(KEY, encryptedKey, 0o600);
    expect(await caKeyModeProblem(location)).toBeUndefined();
  });
});

describe('assertNoCaAnywhere', () => {
  it('passes when no CA file is at any known path', async () => {
    await expect(assertNoCaAnywhere(location)).resolves.toBeUndefined();
  });

  it('refuses when the configured key is there without its certificate', async () => {
    put(KEY, encryptedKey, 0o600);
    const error = await failure(() => assertNoCaAnywhere(location));
    expect(error.code).toBe('ERR_CA_INCOMPLETE');
    expect(error.message).toContain(
      'infra/ca/homeCA.key exists but its certificate infra/ca/homeCA.pem does not',
    );
  });

  it('refuses when homefaas.json points elsewhere and the default place has a CA', async () => {
    put(CERT, ca.certPem);
    put(KEY, encryptedKey, 0o600);
    const moved = resolveCaLocation(root, { certPath: 'infra/pki/root.pem', keyPath: 'infra/pki/root.key' });
    const error = await failure(() => assertNoCaAnywhere(moved));
    expect(error.code).toBe('ERR_CA_ELSEWHERE');
    expect(error.message).toBe(
      'homefaas.json puts the CA at infra/pki/root.pem, where there is none, but infra/ca/homeCA.pem and infra/ca/homeCA.key exist: no second CA is created.',
    );
    expect(error.hint).toContain('set ca.certPath and ca.keyPath in homefaas.json');
  });
});
