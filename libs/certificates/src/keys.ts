import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  pbkdf2Sync,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { HomefaasError } from '@homefaas/core';
import forge from 'node-forge';
import { privateKeyTextProblem } from './pem';

const { asn1 } = forge;

/** PBKDF2-HMAC-SHA256 rounds for an encrypted key (OWASP's 2023 figure; TRUST asks for at least 100 000). */
export const PBKDF2_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const OIDS = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
};

/**
 * Encrypts a private key as PKCS#8 EncryptedPrivateKeyInfo: PBES2, PBKDF2-HMAC-SHA256 with
 * {@link PBKDF2_ITERATIONS} rounds and a 16-byte salt, AES-256-CBC. OpenSSL 3, Node and Go read it.
 * Built here because Node cannot set the round count (OpenSSL's default is 2048) and forge's PBKDF2 runs
 * in JavaScript (about 20 times slower than Node's).
 */
export function encryptPrivateKey(keyPem: string, passphrase: string): string {
  if (passphrase === '') {
    throw new HomefaasError('ERR_CA_PASSPHRASE_EMPTY', 'Refusing to encrypt a key with an empty passphrase.');
  }
  const plain = readKey(keyPem, undefined).export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, PBKDF2_ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const seq = (items: forge.asn1.Asn1[]) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
  const oid = (id: string) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
  const octets = (bytes: Buffer) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
  const integer = (n: number) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
  const nul = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');
  const info = seq([
    seq([
      oid(OIDS.pbes2),
      seq([
        seq([
          oid(OIDS.pbkdf2),
          seq([octets(salt), integer(PBKDF2_ITERATIONS), seq([oid(OIDS.hmacWithSha256), nul])]),
        ]),
        seq([oid(OIDS.aes256Cbc), octets(iv)]),
      ]),
    ]),
    octets(encrypted),
  ]);
  const der = asn1.toDer(info).getBytes();
  return forge.pem
    .encode({ type: 'ENCRYPTED PRIVATE KEY', body: der }, { maxline: 64 })
    .replace(/\r\n/g, '\n');
}

/**
 * Decrypts an encrypted PKCS#8 key or a legacy `openssl genrsa -des3` PEM (`Proc-Type: 4,ENCRYPTED`,
 * `DEK-Info: DES-EDE3-CBC`) and returns unencrypted PKCS#8 PEM. An unencrypted key is returned as PKCS#8.
 * A damaged or cut key throws `ERR_KEY_CORRUPT` (its structure is checked before any decryption, so it is
 * never mistaken for a wrong passphrase), text that is no key `ERR_KEY_PARSE`, a wrong passphrase
 * `ERR_CA_PASSPHRASE`.
 */
export function decryptPrivateKey(pem: string, passphrase: string): string {
  return readKey(pem, passphrase).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** True when the key is encrypted (PKCS#8 or legacy PEM), so a passphrase is needed. */
export function isEncryptedPrivateKey(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,\s*ENCRYPTED/.test(pem);
}

/** True when the private key belongs to the certificate's public key (any key type). */
export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  const fromKey = createPublicKey(readKey(keyPem, undefined)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return Buffer.from(fromKey).equals(Buffer.from(fromCert));
}

/** Parses a private key with OpenSSL (through Node), which reads every PEM flavour OpenSSL writes. */
function readKey(pem: string, passphrase: string | undefined): KeyObject {
  const problem = privateKeyTextProblem(pem);
  if (problem !== undefined) {
    const damaged = problem.kind === 'truncated' || problem.kind === 'corrupt';
    throw new HomefaasError(
      damaged ? 'ERR_KEY_CORRUPT' : 'ERR_KEY_PARSE',
      `The private key ${problem.detail}.`,
    );
  }
  const encrypted = isEncryptedPrivateKey(pem);
  if (encrypted && passphrase === undefined) {
    throw new HomefaasError('ERR_KEY_ENCRYPTED', 'The private key is encrypted; decrypt it first.');
  }
  try {
    return createPrivateKey(
      encrypted ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' },
    );
  } catch (error) {
    if (encrypted) {
      // The structure is whole (checked above). A bad padding is a wrong passphrase; content that
      // decrypts but does not decode is ciphertext altered in place, or (1 time in 256) a wrong passphrase.
      const badDecrypt = /BAD_DECRYPT$/.test(String((error as { code?: unknown }).code));
      throw new HomefaasError(
        'ERR_CA_PASSPHRASE',
        badDecrypt
          ? 'Cannot decrypt the private key: wrong passphrase.'
          : 'Cannot decrypt the private key: wrong passphrase, or its encrypted content is damaged.',
        {
          hint: badDecrypt
            ? 'Give the passphrase the key was encrypted with.'
            : 'Give the passphrase the key was encrypted with; if it is right, restore the key from a backup.',
          cause: error,
        },
      );
    }
    throw new HomefaasError('ERR_KEY_CORRUPT', 'The private key does not parse.', { cause: error });
  }
}
