import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCa } from './ca';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
  keyMatchesCertificate,
  PBKDF2_ITERATIONS,
} from './keys';
import { issueServerCertificate } from './leaf';
import { run, scratch } from './test-support/test-tools';
import type { CaMaterial } from './types';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('./keygen'), async (original) =>
  (await import('./test-support/shared-keys')).withSharedKeys(await original()),
);

const PASSPHRASE = 'correct horse battery staple';
const files = scratch();
let ca: CaMaterial;
let encrypted: string;

beforeAll(async () => {
  ca = await createCa({
    commonName: 'keys CA',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 30,
    keyBits: 3072,
  });
  encrypted = encryptPrivateKey(ca.keyPem, PASSPHRASE);
});
afterAll(() => files.remove());

describe('encryptPrivateKey', () => {
  it('writes PKCS#8 PBES2 with PBKDF2-HMAC-SHA256, >= 100000 rounds, a 16-byte salt and AES-256-CBC', () => {
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const parsed = run('openssl', ['asn1parse'], encrypted);
    expect(parsed.status).toBe(0);
    const lines = parsed.stdout.split('\n');
    expect(lines.some((line) => line.includes(':PBES2'))).toBe(true);
    expect(lines.some((line) => line.includes(':PBKDF2'))).toBe(true);
    expect(lines.some((line) => line.includes(':hmacWithSHA256'))).toBe(true);
    expect(lines.some((line) => line.includes(':aes-256-cbc'))).toBe(true);
    const salt = lines.find((line) => /d=5 .*OCTET STRING/.test(line));
    expect(salt).toMatch(/l= *16 /);
    const rounds = lines
      .find((line) => /d=5 .*INTEGER/.test(line))
      ?.split(':')
      .pop();
    expect(Number.parseInt(rounds ?? '0', 16)).toBe(PBKDF2_ITERATIONS);
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(100_000);
  });

  it('openssl pkey reads it with the passphrase and not without it or with another', () => {
    const path = files.file('ca.key', encrypted);
    const good = run('openssl', ['pkey', '-in', path, '-passin', `pass:${PASSPHRASE}`, '-pubout']);
    expect(good.status).toBe(0);
    const certKey = run('openssl', ['x509', '-noout', '-pubkey'], ca.certPem);
    expect(good.stdout).toBe(certKey.stdout);
    expect(run('openssl', ['pkey', '-in', path, '-passin', 'pass:wrong', '-noout']).status).not.toBe(0);
    const none = run('openssl', ['pkey', '-in', path, '-passin', 'pass:', '-noout']);
    expect(none.status).not.toBe(0);
  });

  it('uses a fresh salt and IV each time', () => {
    expect(encryptPrivateKey(ca.keyPem, PASSPHRASE)).not.toBe(encrypted);
  });

  it('refuses an empty passphrase', () => {
    expect(() => encryptPrivateKey(ca.keyPem, '')).toThrow(
      expect.objectContaining({ code: 'ERR_CA_PASSPHRASE_EMPTY' }),
    );
  });
});

describe('decryptPrivateKey', () => {
  it('round-trips our encryption to the same PKCS#8 key', () => {
    expect(decryptPrivateKey(encrypted, PASSPHRASE)).toBe(ca.keyPem);
  });

  it('a wrong passphrase is ERR_CA_PASSPHRASE and the message holds no secret', () => {
    let error: Error | undefined;
    try {
      decryptPrivateKey(encrypted, 'not the passphrase');
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toMatchObject({ code: 'ERR_CA_PASSPHRASE' });
    expect(error?.message).not.toContain('not the passphrase');
  });

  it.each([
    [
      'legacy PEM (openssl genrsa -traditional -des3)',
      ['-traditional'],
      /Proc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC/,
    ],
    ['PKCS#8 (openssl genrsa -des3 of OpenSSL 3)', [], /BEGIN ENCRYPTED PRIVATE KEY/],
  ])('reads a key made by %s', async (_label, flags, shape) => {
    const keyPath = `${files.dir}/genrsa-${flags.length}.key`;
    const made = run('openssl', [
      'genrsa',
      ...flags,
      '-des3',
      '-passout',
      'pass:seed secret',
      '-out',
      keyPath,
      '2048',
    ]);
    expect(made.status).toBe(0);
    const pem = run('cat', [keyPath]).stdout;
    expect(pem).toMatch(shape);
    expect(isEncryptedPrivateKey(pem)).toBe(true);
    const plain = decryptPrivateKey(pem, 'seed secret');
    expect(plain).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const reference = run('openssl', ['pkey', '-in', keyPath, '-passin', 'pass:seed secret']).stdout;
    expect(plain).toBe(reference);
    expect(() => decryptPrivateKey(pem, 'wrong')).toThrow(
      expect.objectContaining({ code: 'ERR_CA_PASSPHRASE' }),
    );
  });

  it('returns an unencrypted key as PKCS#8', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(isEncryptedPrivateKey(pkcs1)).toBe(false);
    expect(decryptPrivateKey(pkcs1, 'ignored')).toBe(privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });

  it('refuses text that is not a key', () => {
    expect(() => decryptPrivateKey('nope', 'x')).toThrow(expect.objectContaining({ code: 'ERR_KEY_PARSE' }));
  });
});

describe('keyMatchesCertificate', () => {
  it('matches a certificate with its own key only', async () => {
    const leaf = await issueServerCertificate(ca, { dnsNames: ['k.home.lan'], ips: [], days: 10 });
    expect(keyMatchesCertificate(ca.keyPem, ca.certPem)).toBe(true);
    expect(keyMatchesCertificate(leaf.keyPem, leaf.certPem)).toBe(true);
    expect(keyMatchesCertificate(leaf.keyPem, ca.certPem)).toBe(false);
    expect(keyMatchesCertificate(ca.keyPem, leaf.certPem)).toBe(false);
  });
});
