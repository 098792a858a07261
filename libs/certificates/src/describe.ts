import { X509Certificate } from 'node:crypto';
import { HomefaasError } from '@homefaas/core';
import { readExtensions } from './extensions';
import { certificateTextProblem } from './pem';
import type { CertificateInfo } from './types';

/**
 * Reads subject, issuer, SANs, validity, serial, SHA-256 fingerprint, CA flag, key ids and name constraints
 * from a PEM certificate of any key type. Throws `ERR_CERT_PARSE`, saying what is wrong, for anything that is
 * not one (see `certificateTextProblem`).
 */
export function describeCertificate(pem: string): CertificateInfo {
  const problem = certificateTextProblem(pem);
  if (problem !== undefined) {
    throw new HomefaasError('ERR_CERT_PARSE', `The text ${problem.detail}.`);
  }
  const x509 = new X509Certificate(pem);
  const { permittedIpRanges: _ranges, ...extensions } = readExtensions(pem);
  return {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    commonName: commonNameOf(x509.subject),
    ...extensions,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    serialNumber: x509.serialNumber.toLowerCase(),
    fingerprintSha256: x509.fingerprint256,
    isCa: x509.ca,
  };
}

/** Node prints a name one attribute per line; a comma-separated line reads better in messages. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function commonNameOf(name: string): string | undefined {
  const line = name.split('\n').find((part) => part.startsWith('CN='));
  return line?.slice(3);
}
