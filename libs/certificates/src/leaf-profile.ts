import { createHash, X509Certificate } from 'node:crypto';
import { HomefaasError } from '@homefaas/core';
import forge from 'node-forge';
import { readExtensions } from './extensions';
import { generateRsaKeyPair, newCertificate, privateKeyToPkcs8Pem } from './keygen';
import { signCertificate } from './sign';
import { MAX_COMMON_NAME_LENGTH, nameAttributes, subjectNameOf } from './subject';
import type { CaMaterial, IssueServerOptions, LeafMaterial } from './types';

/** Default leaf key size. */
export const DEFAULT_LEAF_KEY_BITS = 2048;

/**
 * The leaf profile of TRUST.md, signed by the CA as given: it checks nothing, so call it only with options
 * that `issueServerCertificate` (leaf.ts) has checked (names, days, key size, the CA's name constraints).
 */
export async function signLeaf(ca: CaMaterial, options: IssueServerOptions): Promise<LeafMaterial> {
  const keys = await generateRsaKeyPair(options.keyBits ?? DEFAULT_LEAF_KEY_BITS);
  const cert = newCertificate(keys.publicKey, options.now ?? new Date(), options.days);
  const commonName = options.commonName ?? defaultCommonName(options);
  cert.setSubject(commonName === undefined ? [] : nameAttributes([{ shortName: 'CN', value: commonName }]));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      // RFC 5280 §4.2.1.6: with an empty subject the names live only here, and the extension is critical.
      critical: commonName === undefined,
      altNames: [
        ...options.dnsNames.map((value) => ({ type: 2, value })),
        ...options.ips.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    // `keyIdentifier: true` would write the leaf's own id; the CA's id is what chain builders match.
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId(ca.certPem) },
  ]);
  const certPem = signCertificate(cert, forge.pki.privateKeyFromPem(ca.keyPem), subjectNameOf(ca.certPem));
  return {
    certPem,
    keyPem: privateKeyToPkcs8Pem(keys.privateKey),
    fullchainPem: `${certPem.trimEnd()}\n${ca.certPem.trimEnd()}\n`,
  };
}

/**
 * The first DNS name; for an IP-only certificate `IP <address>`: a bare address in the CN would look like a
 * host name to OpenSSL, which then applies the CA's DNS constraints to it and rejects the certificate.
 * None when the name is longer than a CN may be: clients read the SAN anyway (Go ignores the CN).
 */
function defaultCommonName(options: IssueServerOptions): string | undefined {
  const first = options.dnsNames[0] ?? `IP ${options.ips[0] ?? ''}`;
  return first.length <= MAX_COMMON_NAME_LENGTH ? first : undefined;
}

/** Checks the CA certificate is RSA (forge signs with RSA only; its parser refuses others) and a CA. */
export function assertSigningCa(certPem: string): void {
  try {
    forge.pki.certificateFromPem(certPem);
  } catch (error) {
    throw new HomefaasError(
      'ERR_CA_UNSUPPORTED',
      'The CA certificate cannot be used to sign: it must be an RSA certificate in PEM.',
      {
        cause: error,
      },
    );
  }
  if (!new X509Certificate(certPem).ca) {
    throw new HomefaasError(
      'ERR_CA_NOT_CA',
      'The CA certificate is not a CA (basicConstraints CA:TRUE is missing).',
    );
  }
}

/** The CA's subject key id bytes, or the RFC 5280 method-1 id (SHA-1 of the public key) when it has none. */
function caKeyId(certPem: string): string {
  const { subjectKeyId } = readExtensions(certPem);
  if (subjectKeyId) return forge.util.hexToBytes(subjectKeyId);
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const publicKeyBits = forge.asn1.fromDer(Buffer.from(spki).toString('binary')).value[1] as forge.asn1.Asn1;
  // The BIT STRING's first byte counts unused bits; the key id hashes what follows.
  return createHash('sha1')
    .update(Buffer.from(String(publicKeyBits.value).slice(1), 'binary'))
    .digest('binary');
}
