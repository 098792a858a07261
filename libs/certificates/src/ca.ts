import { HomefaasError } from '@homefaas/core';
import { assertCaDays } from './days';
import { encodeNameConstraints, OID } from './extensions';
import { generateRsaKeyPair, newCertificate, privateKeyToPkcs8Pem } from './keygen';
import { assertDnsName, parseCidr } from './names';
import { signCertificate } from './sign';
import { assertCommonName, nameAttributes } from './subject';
import type { CaMaterial, CreateCaOptions } from './types';

/** Default CA key size: 4096 bits, as the seed's `openssl genrsa -des3 4096`; natively generated in ~1-2 s. */
export const DEFAULT_CA_KEY_BITS = 4096;

/**
 * Creates a self-signed root CA with the profile of TRUST.md: SHA-256, `CA:TRUE, pathlen:0` and
 * `keyCertSign, cRLSign` (both critical), a subject key id, and critical name constraints when domains or IP
 * ranges are given. All options are checked before any key is generated.
 */
export async function createCa(options: CreateCaOptions): Promise<CaMaterial> {
  const commonName = assertCaCommonName(options.commonName, 'commonName');
  assertCaDays(options.days, 'days');
  const domains = options.permittedDomains.map((domain) => assertPermittedDomain(domain, 'permittedDomains'));
  const ranges = options.permittedIps.map((cidr) => parseCidr(cidr, 'permittedIps'));
  const bits = assertCaKeyBits(options.keyBits ?? DEFAULT_CA_KEY_BITS, 'keyBits');

  const keys = await generateRsaKeyPair(bits);
  const cert = newCertificate(keys.publicKey, options.now ?? new Date(), options.days);
  const name = nameAttributes([{ shortName: 'CN', value: commonName }]);
  cert.setSubject(name);
  cert.setIssuer(name);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (domains.length > 0 || ranges.length > 0) {
    // forge has no builder for nameConstraints: the DER goes in as the raw extension value.
    extensions.push({
      id: OID.nameConstraints,
      critical: true,
      value: encodeNameConstraints(domains, ranges),
    });
  }
  cert.setExtensions(extensions);
  return { certPem: signCertificate(cert, keys.privateKey), keyPem: privateKeyToPkcs8Pem(keys.privateKey) };
}

/** The CA's common name, checked as X.509 requires ({@link assertCommonName}); `ERR_CA_COMMON_NAME`. */
export function assertCaCommonName(value: string, inputName: string): string {
  return assertCommonName(value, inputName, 'ERR_CA_COMMON_NAME');
}

/** One DNS name constraint (`home.lan`, or `.home.lan` for names under it only), lower-cased. */
export function assertPermittedDomain(domain: string, inputName: string): string {
  assertDnsName(domain.replace(/^\./, ''), inputName);
  if (domain.includes('*')) {
    throw new HomefaasError('ERR_CERT_DNS_NAME', `${inputName} ${JSON.stringify(domain)} has a wildcard.`, {
      hint: 'A constraint already covers every name under it: give home.lan, not *.home.lan.',
    });
  }
  return domain.toLowerCase();
}

/** A CA key size homefaas creates: 3072 or 4096 bits. */
export function assertCaKeyBits(bits: number, inputName: string): 3072 | 4096 {
  if (bits !== 3072 && bits !== 4096) {
    throw new HomefaasError('ERR_CA_KEY_BITS', `${inputName} ${bits} is not supported.`, {
      hint: 'Use 3072 or 4096.',
    });
  }
  return bits;
}
