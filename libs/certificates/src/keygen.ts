import { randomBytes } from 'node:crypto';
import { DAY_MS } from '@homefaas/core';
import forge from 'node-forge';

/**
 * An RSA key pair from node-forge. forge hands the work to Node's native `crypto.generateKeyPair` (off the
 * main thread) when `forge.options.usePureJavaScript` is false, no custom PRNG is given and e = 65537;
 * we keep all three true. The pure-JavaScript fallback is 10 to 100 times slower.
 */
export function generateRsaKeyPair(bits: number): Promise<forge.pki.rsa.KeyPair> {
  return new Promise((resolve, reject) => {
    forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (error, keys) =>
      error ? reject(error) : resolve(keys),
    );
  });
}

/** True when forge will take the native path for {@link generateRsaKeyPair}. */
export function usesNativeKeyGeneration(): boolean {
  // Both flags exist at run time but are missing from @types/node-forge.
  const runtime = forge as unknown as {
    options: { usePureJavaScript: boolean };
    util: { isNodejs: string | false };
  };
  return !runtime.options.usePureJavaScript && Boolean(runtime.util.isNodejs);
}

/** PKCS#8 PEM of a forge RSA private key. */
export function privateKeyToPkcs8Pem(key: forge.pki.rsa.PrivateKey): string {
  return unixLines(
    forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key))),
  );
}

/** forge ends PEM lines with CRLF; files, OpenSSL and Node use LF. */
export function unixLines(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/** 16 random bytes as hex, top bit cleared and first byte non-zero: a positive, minimally encoded INTEGER. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return bytes.toString('hex');
}

/** notBefore an hour back (tolerates clock skew between machines), notAfter exactly `days` later. */
export function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now.getTime() - 3_600_000);
  notBefore.setMilliseconds(0);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

/** An unsigned certificate holding `publicKey`, a fresh serial and {@link validity} of `days` from `now`. */
export function newCertificate(
  publicKey: forge.pki.PublicKey,
  now: Date,
  days: number,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerialNumber();
  const { notBefore, notAfter } = validity(now, days);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  return cert;
}
