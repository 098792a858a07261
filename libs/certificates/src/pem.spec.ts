import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCa } from './ca';
import { decryptPrivateKey, encryptPrivateKey } from './keys';
import { certificateTextProblem, type PemProblem, privateKeyTextProblem } from './pem';
import { run, scratch } from './test-support/test-tools';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('./keygen'), async (original) =>
  (await import('./test-support/shared-keys')).withSharedKeys(await original()),
);

const files = scratch('homefaas-pem-');
let certPem: string;
let encryptedKey: string;
let legacyKey: string;
let pkcs1Key: string;

beforeAll(async () => {
  const ca = await createCa({
    commonName: 'pem CA',
    permittedDomains: [],
    permittedIps: [],
    days: 1,
    keyBits: 3072,
  });
  certPem = ca.certPem;
  encryptedKey = encryptPrivateKey(ca.keyPem, 'pem pass');
  const legacyPath = `${files.dir}/legacy.key`;
  const made = run('openssl', [
    'genrsa',
    '-traditional',
    '-des3',
    '-passout',
    'pass:pem pass',
    '-out',
    legacyPath,
    '2048',
  ]);
  expect(made.status).toBe(0);
  legacyKey = run('cat', [legacyPath]).stdout;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  pkcs1Key = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
});
afterAll(() => files.remove());

/** The text cut after `share` of its length (a copy or a disk that stopped part way). */
const cut = (text: string, share: number) => text.slice(0, Math.floor(text.length * share));
/** The text with its `n`th base64 line removed (the END line stays). */
const dropLine = (text: string, n: number) => {
  const lines = text.split('\n');
  lines.splice(n, 1);
  return lines.join('\n');
};
/** One base64 character replaced by one that is not base64. */
const garble = (text: string) => text.replace(/\n([A-Za-z0-9+/]{10})/, '\n!$1'.slice(0, 11));
const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('utf8');

describe('certificateTextProblem', () => {
  it.each<[string, PemProblem['kind'] | undefined, () => string, string]>([
    ['a whole certificate', undefined, () => certPem, ''],
    ['a whole certificate with CRLF line ends', undefined, () => certPem.replace(/\n/g, '\r\n'), ''],
    ['openssl x509 -text output', undefined, () => `Certificate:\n    Data: ...\n${certPem}`, ''],
    ['an empty file', 'empty', () => '\n', 'is empty'],
    ['DER', 'binary', () => der(certPem), 'is binary (DER?)'],
    ['prose', 'not-pem', () => 'see the wiki for the CA', 'has no "-----BEGIN" line'],
    [
      'a key instead',
      'other-type',
      () => encryptedKey,
      'holds a PEM ENCRYPTED PRIVATE KEY, not a certificate',
    ],
    ['half of it', 'truncated', () => cut(certPem, 0.5), '"-----END CERTIFICATE-----" line is missing'],
    ['all but its last line', 'truncated', () => certPem.slice(0, certPem.indexOf('-----END')), 'cut short'],
    ['a base64 line missing', 'corrupt', () => dropLine(certPem, 3), 'DER structure is damaged'],
    ['a character that is not base64', 'corrupt', () => garble(certPem), 'base64 body is damaged'],
  ])('%s: %s', (_label, kind, text, detail) => {
    const problem = certificateTextProblem(text());
    expect(problem?.kind).toBe(kind);
    if (kind !== undefined) expect(problem?.detail).toContain(detail);
  });
});

describe('privateKeyTextProblem', () => {
  it.each<[string, PemProblem['kind'] | undefined, () => string, string]>([
    ['an encrypted PKCS#8 key', undefined, () => encryptedKey, ''],
    ['an openssl genrsa -des3 key', undefined, () => legacyKey, ''],
    ['a PKCS#1 key', undefined, () => pkcs1Key, ''],
    ['a certificate instead', 'other-type', () => certPem, 'holds a PEM CERTIFICATE, not a private key'],
    [
      'an encrypted key cut in half',
      'truncated',
      () => cut(encryptedKey, 0.5),
      'ENCRYPTED PRIVATE KEY-----" line is missing',
    ],
    [
      'a legacy key cut in half',
      'truncated',
      () => cut(legacyKey, 0.5),
      'RSA PRIVATE KEY-----" line is missing',
    ],
    [
      'an encrypted key missing a line',
      'corrupt',
      () => dropLine(encryptedKey, 5),
      'DER structure is damaged',
    ],
    [
      'a legacy key short of a few bytes',
      'corrupt',
      () => legacyKey.replace(/.{4}\n-----END/, '\n-----END'),
      'not whole cipher blocks',
    ],
    ['a PKCS#1 key with a bad character', 'corrupt', () => garble(pkcs1Key), 'base64 body is damaged'],
    ['an empty file', 'empty', () => '', 'is empty'],
  ])('%s: %s', (_label, kind, text, detail) => {
    const problem = privateKeyTextProblem(text());
    expect(problem?.kind).toBe(kind);
    if (kind !== undefined) expect(problem?.detail).toContain(detail);
  });
});

describe('decryptPrivateKey on a damaged key', () => {
  it.each([
    ['cut in half', () => cut(encryptedKey, 0.5)],
    ['cut before its END line', () => encryptedKey.slice(0, encryptedKey.indexOf('-----END'))],
    ['missing a line', () => dropLine(encryptedKey, 5)],
    ['legacy, cut in half', () => cut(legacyKey, 0.5)],
  ])('%s: ERR_KEY_CORRUPT, even with the right passphrase, never ERR_CA_PASSPHRASE', (_label, text) => {
    for (const passphrase of ['pem pass', 'wrong']) {
      expect(() => decryptPrivateKey(text(), passphrase)).toThrow(
        expect.objectContaining({ code: 'ERR_KEY_CORRUPT' }),
      );
    }
  });

  it('a legacy key missing whole cipher blocks decrypts to no key: the message says it may be damaged', () => {
    expect(() => decryptPrivateKey(dropLine(legacyKey, 6), 'pem pass')).toThrow(
      expect.objectContaining({
        code: 'ERR_CA_PASSPHRASE',
        message: expect.stringContaining('or its encrypted content is damaged'),
        hint: expect.stringContaining('restore the key from a backup'),
      }),
    );
  });

  it('a whole key with a wrong passphrase is ERR_CA_PASSPHRASE', () => {
    expect(() => decryptPrivateKey(encryptedKey, 'wrong')).toThrow(
      expect.objectContaining({ code: 'ERR_CA_PASSPHRASE' }),
    );
    expect(() => decryptPrivateKey(legacyKey, 'wrong')).toThrow(
      expect.objectContaining({ code: 'ERR_CA_PASSPHRASE' }),
    );
  });
});
