import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, describeCertificate, encryptPrivateKey } from '@homefaas/certificates';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSelfSigned } from '../../../../../test/support/openssl-pki';
import { DEFAULT_CA_PATHS, resolveCaLocation } from '../../ca/ca-location';
import { readCaCertificate, unlockCa } from '../../ca/load-ca';
import { ensureServerCertificate } from '../../ca/server-certificate';
import { createTestWorkspace } from '../../test-support/ca-workspace';
import { generateCa } from './generator';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const { certPath: CA_CERT_PATH, keyPath: CA_KEY_PATH } = DEFAULT_CA_PATHS;

const PASS = { HOMEFAAS_CA_PASSPHRASE: 'new ca passphrase' };
const FAST = { keyBits: 3072 as const };
let ws: ReturnType<typeof createTestWorkspace>;
let shared: { cert: string; key: string };
beforeAll(async () => {
  const ca = await createCa({
    commonName: 'homefaas CA',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 3650,
    keyBits: 3072,
  });
  shared = { cert: ca.certPem, key: encryptPrivateKey(ca.keyPem, PASS.HOMEFAAS_CA_PASSPHRASE) };
});
beforeEach(() => {
  ws = createTestWorkspace();
});
afterEach(() => ws.remove());

async function runCa(schema: Parameters<typeof generateCa>[1], env: NodeJS.ProcessEnv = PASS) {
  const environment = ws.environment(env);
  const tree = ws.tree();
  const callback = await generateCa(tree, { ...FAST, ...schema }, environment);
  return { callback, tree, lines: environment.logger.lines };
}

/** The seed setup's CA: `openssl genrsa -des3` key, `openssl req -x509` certificate. */
function makeSeedCa(passphrase: string): { cert: string; key: string } {
  const key = join(ws.root, 'seed/homeCA.key');
  const cert = join(ws.root, 'seed/homeCA.pem');
  expect(
    ws.openssl([
      'genrsa',
      '-traditional',
      '-des3',
      '-passout',
      `pass:${passphrase}`,
      '-out',
      'seed.key',
      '2048',
    ]).status,
  ).toBe(0);
  const req = ws.openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    'seed.key',
    '-passin',
    `pass:${passphrase}`,
    '-sha256',
    '-days',
    '1825',
    '-subj',
    '/CN=Seed Home CA',
    '-out',
    'seed.pem',
  ]);
  expect(req.status).toBe(0);
  expect(ws.read('seed.key')).toContain('DEK-Info: DES-EDE3-CBC');
  mkdirSync(join(ws.root, 'seed'));
  writeFileSync(key, ws.read('seed.key'));
  writeFileSync(cert, ws.read('seed.pem'));
  return { cert, key };
}

describe('nx g ca', () => {
  it('computes everything first and writes only in the callback: nothing on disk or in the tree before', async () => {
    const { callback, tree } = await runCa({});
    expect(callback).toBeTypeOf('function');
    expect(ws.files()).toEqual([]);
    expect(tree.listChanges()).toEqual([]);
    await callback?.();
    expect(ws.files()).toEqual([CA_KEY_PATH, CA_CERT_PATH]);
  });

  it('writes the certificate and a 0600 key that openssl reads only with the passphrase', async () => {
    const { callback } = await runCa({});
    await callback?.();
    expect(ws.mode(CA_KEY_PATH)).toBe(0o600);
    expect(ws.mode(CA_CERT_PATH)).toBe(0o644);
    expect(ws.read(CA_KEY_PATH)).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(
      ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:new ca passphrase', '-noout']).status,
    ).toBe(0);
    expect(ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:other', '-noout']).status).not.toBe(0);
    const text = ws.openssl(['x509', '-in', CA_CERT_PATH, '-noout', '-text']).stdout;
    expect(text).toContain('Subject: CN = homefaas CA');
    expect(text).toMatch(
      /Name Constraints: critical\s+Permitted:\s+DNS:home\.lan\s+DNS:home\.arpa\s+IP:127\.0\.0\.0\/255\.0\.0\.0/,
    );
    const info = describeCertificate(ws.read(CA_CERT_PATH));
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(3650 * 86_400_000);
  });

  it('honours every option and reads the passphrase from HOMEFAAS_CA_PASSPHRASE_FILE', async () => {
    const file = join(ws.root, 'pass.txt');
    writeFileSync(file, 'from a file\n');
    const { callback } = await runCa(
      { commonName: 'My Home CA', permittedDomains: 'home.lan', permittedIps: '127.0.0.1/32', days: 100 },
      { HOMEFAAS_CA_PASSPHRASE_FILE: file },
    );
    await callback?.();
    const info = describeCertificate(ws.read(CA_CERT_PATH));
    expect(info).toMatchObject({
      commonName: 'My Home CA',
      permittedDomains: ['home.lan'],
      permittedIps: ['127.0.0.1/32'],
    });
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(100 * 86_400_000);
    expect(ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:from a file', '-noout']).status).toBe(0);
  });

  it('--permittedDomains none makes an unconstrained CA, with a warning', async () => {
    const { callback, lines } = await runCa({ permittedDomains: 'none', permittedIps: 'none' });
    await callback?.();
    expect(lines.some((line) => line.startsWith('warn:') && line.includes('no DNS name constraints'))).toBe(
      true,
    );
    expect(ws.openssl(['x509', '-in', CA_CERT_PATH, '-noout', '-text']).stdout).not.toContain(
      'Name Constraints',
    );
  });

  it('never replaces an existing CA without --rotate, and needs no passphrase to say so', async () => {
    await (await runCa({})).callback?.();
    const before = [ws.read(CA_CERT_PATH), ws.read(CA_KEY_PATH)];
    const again = await runCa({ commonName: 'Another' }, {});
    expect(again.callback).toBeUndefined();
    expect(again.lines.join('\n')).toMatch(
      /A CA already exists: infra\/ca\/homeCA\.pem, CN=homefaas CA.*Nothing changed/,
    );
    expect(again.lines.join('\n')).toContain('--rotate');
    expect([ws.read(CA_CERT_PATH), ws.read(CA_KEY_PATH)]).toEqual(before);
  });

  it('--rotate moves the old pair to infra/ca/old/<date>/ and writes a new one', async () => {
    await (await runCa({})).callback?.();
    const old = [ws.read(CA_CERT_PATH), ws.read(CA_KEY_PATH)];
    await (await runCa({ rotate: true })).callback?.();
    const date = new Date().toISOString().slice(0, 10);
    expect([ws.read(`infra/ca/old/${date}/homeCA.pem`), ws.read(`infra/ca/old/${date}/homeCA.key`)]).toEqual(
      old,
    );
    expect(ws.mode(`infra/ca/old/${date}/homeCA.key`)).toBe(0o600);
    expect(ws.read(CA_CERT_PATH)).not.toBe(old[0]);
    await (await runCa({ rotate: true })).callback?.();
    expect(ws.exists(`infra/ca/old/${date}-2/homeCA.pem`)).toBe(true);
  });

  it.each([
    [{ permittedDomains: 'home lan' }, 'ERR_CERT_DNS_NAME', '--permittedDomains'],
    [{ permittedDomains: '*.home.lan' }, 'ERR_CERT_DNS_NAME', 'wildcard'],
    [{ permittedDomains: ',' }, 'ERR_CA_CONSTRAINTS', '--permittedDomains is empty'],
    [{ permittedIps: '192.168.1.0/16' }, 'ERR_CERT_CIDR', 'Did you mean 192.168.0.0/16'],
    [{ permittedIps: '300.0.0.0/8' }, 'ERR_CERT_CIDR', '--permittedIps'],
    [{ days: 0 }, 'ERR_CERT_DAYS', '--days'],
    [{ commonName: '  ' }, 'ERR_CA_COMMON_NAME', '--commonName'],
    [{ importCert: 'only-cert.pem' }, 'ERR_CA_IMPORT', '--importKey'],
    [{ importCert: 'missing.pem', importKey: 'missing.key' }, 'ERR_CA_IMPORT', 'missing.pem'],
  ])('refuses %j before writing anything', async (schema, code, text) => {
    const error = await runCa(schema).catch((caught) => caught);
    expect(error).toMatchObject({ code });
    expect(`${error.message} ${error.hint ?? ''}`).toContain(text);
    expect(ws.files()).toEqual([]);
  });

  it('without a passphrase and without a terminal, names both variables and writes nothing', async () => {
    const error = await runCa({}, {}).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_SECRET_MISSING' });
    expect(error.hint).toContain('HOMEFAAS_CA_PASSPHRASE');
    expect(error.hint).toContain('HOMEFAAS_CA_PASSPHRASE_FILE');
    expect(ws.files()).toEqual([]);
  });
});

/** An existing CA at the default place, as `nx g ca` leaves it (one key generated for all tests). */
function putCa(): void {
  mkdirSync(join(ws.root, 'infra/ca'), { recursive: true });
  writeFileSync(join(ws.root, CA_CERT_PATH), shared.cert);
  writeFileSync(join(ws.root, CA_KEY_PATH), shared.key, { mode: 0o600 });
}

/** Sets homefaas.json's `ca` section. */
function configureCa(ca: { certPath?: string; keyPath?: string }): void {
  writeFileSync(join(ws.root, 'homefaas.json'), JSON.stringify({ ca }));
}

describe('nx g ca and where homefaas.json puts the CA', () => {
  it('writes the CA where ca.certPath and ca.keyPath say', async () => {
    configureCa({ certPath: 'infra/pki/root.pem', keyPath: 'secrets/root.key' });
    await (await runCa({})).callback?.();
    expect(ws.files()).toEqual(['homefaas.json', 'infra/pki/root.pem', 'secrets/root.key']);
    expect(ws.mode('secrets/root.key')).toBe(0o600);
    expect(
      ws.openssl(['pkey', '-in', 'secrets/root.key', '-passin', 'pass:new ca passphrase', '-noout']).status,
    ).toBe(0);
  });

  it('refuses, writing nothing, when the configured key exists without its certificate', async () => {
    putCa();
    configureCa({ certPath: 'infra/pki/root.pem' });
    const before = ws.files().map((path) => [path, ws.read(path)]);
    const error = await runCa({}).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_INCOMPLETE' });
    expect(error.message).toContain(
      'infra/ca/homeCA.key exists but its certificate infra/pki/root.pem does not',
    );
    expect(ws.files().map((path) => [path, ws.read(path)])).toEqual(before);
  });

  it('refuses a second CA while the default place has one and homefaas.json points elsewhere', async () => {
    putCa();
    configureCa({ certPath: 'infra/pki/root.pem', keyPath: 'infra/pki/root.key' });
    const error = await runCa({}).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_ELSEWHERE' });
    expect(ws.exists('infra/pki')).toBe(false);
  });

  it('--rotate moves the key aside (the same file, renamed), never writing over it', async () => {
    putCa();
    const inode = statSync(join(ws.root, CA_KEY_PATH)).ino;
    const old = ws.read(CA_KEY_PATH);
    await (await runCa({ rotate: true })).callback?.();
    const date = new Date().toISOString().slice(0, 10);
    expect(statSync(join(ws.root, `infra/ca/old/${date}/homeCA.key`)).ino).toBe(inode);
    expect(ws.read(`infra/ca/old/${date}/homeCA.key`)).toBe(old);
    expect(statSync(join(ws.root, CA_KEY_PATH)).ino).not.toBe(inode);
  });

  it('a key that appears after planning is not written over: ERR_FILE_EXISTS, and no certificate either', async () => {
    const { callback } = await runCa({});
    mkdirSync(join(ws.root, 'infra/ca'), { recursive: true });
    writeFileSync(join(ws.root, CA_KEY_PATH), 'a key someone else wrote\n', { mode: 0o600 });
    const error = await Promise.resolve(callback?.()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_FILE_EXISTS' });
    expect((error as Error).message).toContain(`Refusing to write ${CA_KEY_PATH}: the file already exists.`);
    expect(ws.read(CA_KEY_PATH)).toBe('a key someone else wrote\n');
    expect(ws.exists(CA_CERT_PATH)).toBe(false);
  });
});

describe('nx g ca on a damaged CA: a non-zero exit that names the file and what to do', () => {
  it.each<[string, string, (pem: string, key: string) => void, string, string]>([
    [
      'a certificate cut short',
      'ERR_CA_CORRUPT',
      (pem) => writeFileSync(join(ws.root, CA_CERT_PATH), pem.slice(0, 500)),
      'infra/ca/homeCA.pem is cut short',
      'Restore it from version control (git checkout -- infra/ca/homeCA.pem)',
    ],
    [
      'a certificate that is no PEM',
      'ERR_CA_NOT_PEM',
      () => writeFileSync(join(ws.root, CA_CERT_PATH), 'oops\n'),
      'infra/ca/homeCA.pem has no "-----BEGIN" line',
      'ca.certPath must name the CA certificate in PEM',
    ],
    [
      'a certificate that is a folder',
      'ERR_CA_UNREADABLE',
      () => {
        const path = join(ws.root, CA_CERT_PATH);
        rmSync(path);
        mkdirSync(path);
      },
      'Cannot read the CA certificate infra/ca/homeCA.pem: it is a folder (EISDIR)',
      'Rename the folder infra/ca/homeCA.pem',
    ],
    [
      'a key cut short',
      'ERR_CA_KEY_CORRUPT',
      (_pem, key) => writeFileSync(join(ws.root, CA_KEY_PATH), key.slice(0, 1200)),
      'infra/ca/homeCA.key is cut short',
      'restore it from your backup (keys are never committed)',
    ],
  ])('%s → %s', async (_label, code, damage, message, hint) => {
    putCa();
    damage(ws.read(CA_CERT_PATH), ws.read(CA_KEY_PATH));
    const error = await runCa({}, {}).catch((caught) => caught);
    expect(error).toMatchObject({ code });
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
  });

  it('--rotate moves a damaged pair aside and creates a new one', async () => {
    putCa();
    writeFileSync(join(ws.root, CA_CERT_PATH), 'oops\n');
    const { callback, lines } = await runCa({ rotate: true });
    expect(lines.join('\n')).toContain(
      'Rotating: the current CA (damaged: The CA certificate infra/ca/homeCA.pem has no',
    );
    await callback?.();
    expect(describeCertificate(ws.read(CA_CERT_PATH)).isCa).toBe(true);
  });

  it("--rotate --importCert/--importKey of its own unencrypted pair encrypts the key in place (doctor's hint)", async () => {
    putCa();
    const plain = ws.openssl([
      'pkey',
      '-in',
      CA_KEY_PATH,
      '-passin',
      `pass:${PASS.HOMEFAAS_CA_PASSPHRASE}`,
    ]).stdout;
    writeFileSync(join(ws.root, CA_KEY_PATH), plain, { mode: 0o600 });
    const importing = { importCert: join(ws.root, CA_CERT_PATH), importKey: join(ws.root, CA_KEY_PATH) };
    await (await runCa({ rotate: true, ...importing })).callback?.();
    expect(ws.read(CA_CERT_PATH)).toBe(shared.cert);
    expect(ws.read(CA_KEY_PATH)).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const date = new Date().toISOString().slice(0, 10);
    expect(ws.read(`infra/ca/old/${date}/homeCA.key`)).toBe(plain);
  });

  it('warns about a CA key open to other users', async () => {
    putCa();
    chmodSync(join(ws.root, CA_KEY_PATH), 0o644);
    const { lines } = await runCa({}, {});
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^warn: The CA key infra\/ca\/homeCA\.key is open to every user \(mode 0644\)\. Run chmod 600/,
      ),
    );
  });
});

describe('nx g ca names', () => {
  it('writes a non-ASCII name as a UTF8String that openssl reads back', async () => {
    await (await runCa({ commonName: 'Hôme ☃ CA' })).callback?.();
    expect(
      ws.openssl(['x509', '-in', CA_CERT_PATH, '-noout', '-subject', '-nameopt', 'utf8']).stdout.trim(),
    ).toBe('subject=CN=Hôme ☃ CA');
    expect(ws.openssl(['asn1parse', '-in', CA_CERT_PATH]).stdout).toMatch(/:commonName\n.*UTF8STRING/);
  });

  it.each([
    [
      'a 5000-character name',
      { commonName: 'x'.repeat(5000) },
      'ERR_CA_COMMON_NAME',
      `--commonName "${'x'.repeat(40)}…" is 5000 characters long; X.509 allows at most 64`,
    ],
    ['a 65-character name', { commonName: 'a'.repeat(65) }, 'ERR_CA_COMMON_NAME', 'is 65 characters long'],
    [
      '--days 0',
      { days: 0 },
      'ERR_CERT_DAYS',
      '--days 0 is out of range: give a whole number from 1 to 36500.',
    ],
    [
      '--days 36501',
      { days: 36_501 },
      'ERR_CERT_DAYS',
      '--days 36501 is out of range: give a whole number from 1 to 36500.',
    ],
  ])('refuses %s before writing anything', async (_label, schema, code, message) => {
    const error = await runCa(schema).catch((caught) => caught);
    expect(error).toMatchObject({ code });
    expect(error.message).toContain(message);
    expect(ws.files()).toEqual([]);
  });
});

describe('nx g ca --importCert --importKey (adopting the seed CA)', () => {
  it('adopts an openssl genrsa -des3 key with its own passphrase, stores it re-encrypted, and signs with it', async () => {
    const seed = makeSeedCa('old seed pass');
    const { callback } = await runCa(
      { importCert: seed.cert, importKey: seed.key },
      { ...PASS, HOMEFAAS_CA_IMPORT_PASSPHRASE: 'old seed pass' },
    );
    await callback?.();
    expect(ws.read(CA_CERT_PATH)).toBe(ws.read('seed.pem'));
    expect(ws.read(CA_KEY_PATH)).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(ws.mode(CA_KEY_PATH)).toBe(0o600);
    const pub = ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:new ca passphrase', '-pubout']);
    expect(pub.stdout).toBe(ws.openssl(['x509', '-in', 'seed.pem', '-noout', '-pubkey']).stdout);

    const location = resolveCaLocation(ws.root);
    const { pem } = await readCaCertificate(location);
    const adopted = await unlockCa(location, pem, PASS.HOMEFAAS_CA_PASSPHRASE);
    await ensureServerCertificate(ws.root, adopted, {
      domain: 'docker-registry.home.lan',
      dnsNames: [],
      ips: ['192.168.1.20'],
    });
    const verify = ws.openssl(['verify', '-CAfile', 'seed.pem', 'infra/certs/docker-registry.home.lan.crt']);
    expect(verify.stdout).toContain(': OK');
  });

  it('reads the import passphrase from HOMEFAAS_CA_IMPORT_PASSPHRASE_FILE', async () => {
    const seed = makeSeedCa('file seed pass');
    const file = join(ws.root, 'import-pass');
    writeFileSync(file, 'file seed pass\n');
    const { callback } = await runCa(
      { importCert: seed.cert, importKey: seed.key },
      { ...PASS, HOMEFAAS_CA_IMPORT_PASSPHRASE_FILE: file },
    );
    await callback?.();
    expect(
      ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:new ca passphrase', '-noout']).status,
    ).toBe(0);
  });

  it('falls back to the new passphrase when no import passphrase is given', async () => {
    const seed = makeSeedCa('new ca passphrase');
    const { callback } = await runCa({ importCert: seed.cert, importKey: seed.key });
    await callback?.();
    expect(ws.read(CA_CERT_PATH)).toBe(ws.read('seed.pem'));
  });

  it('a wrong import passphrase is refused and nothing is written', async () => {
    const seed = makeSeedCa('right');
    const before = ws.files();
    const error = await runCa(
      { importCert: seed.cert, importKey: seed.key },
      { ...PASS, HOMEFAAS_CA_IMPORT_PASSPHRASE: 'wrong' },
    ).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_PASSPHRASE' });
    expect(error.hint).toContain('HOMEFAAS_CA_IMPORT_PASSPHRASE');
    expect(ws.files()).toEqual(before);
  });

  it('a key that does not match the certificate is refused and nothing is written', async () => {
    const seed = makeSeedCa('pass');
    expect(ws.openssl(['genrsa', '-out', 'stranger.key', '2048']).status).toBe(0);
    const before = ws.files();
    const error = await runCa({ importCert: seed.cert, importKey: join(ws.root, 'stranger.key') }).catch(
      (caught) => caught,
    );
    expect(error).toMatchObject({ code: 'ERR_CA_IMPORT_MISMATCH' });
    expect(error.message).toContain('stranger.key');
    expect(ws.files()).toEqual(before);
  });

  it('a server certificate is refused as a CA', async () => {
    makeSeedCa('pass');
    createSelfSigned(ws.root, 'leaf', [], ['basicConstraints=critical,CA:FALSE']);
    const error = await runCa({
      importCert: join(ws.root, 'leaf.crt'),
      importKey: join(ws.root, 'leaf.key'),
    }).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_IMPORT' });
    expect(error.message).toContain('not a CA certificate');
    expect(ws.exists('infra')).toBe(false);
  });
});
