import { HomefaasError } from '@homefaas/core';
import forge from 'node-forge';
import { encodeNameConstraints, OID } from './extensions';
import { generateRsaKeyPair, newCertificate, privateKeyToPkcs8Pem, unixLines } from './keygen';
import { assertDnsName, parseCidr } from './names';
import type { CaMaterial, CreateCaOptions } from './types';

/** Default CA key size: 4096 bits, as the seed's `openssl genrsa -des3 4096`; natively generated in ~1-2 s. */
export const DEFAULT_CA_KEY_BITS = 4096;

/**
 * Creates a self-signed root CA with the profile of TRUST.md: SHA-256, `CA:TRUE, pathlen:0` and
 * `keyCertSign, cRLSign` (both critical), a subject key id, and critical name constraints when domains or IP
 * ranges are given. All options are checked before any key is generated.
 */
export async function createCa(options: CreateCaOptions): Promise<CaMaterial> {
  const commonName = options.commonName.trim();
  if (commonName === '') {
    throw new HomefaasError('ERR_CA_COMMON_NAME', 'commonName is empty.', {
      hint: 'Give the CA a name people recognise in their trust store, e.g. --commonName "homefaas CA".',
    });
  }
  assertDays(options.days, 'days');
  const domains = options.permittedDomains.map((domain) => {
    assertDnsName(domain.replace(/^\./, ''), 'permittedDomains');
    if (domain.includes('*')) {
      throw new HomefaasError(
        'ERR_CERT_DNS_NAME',
        `permittedDomains ${JSON.stringify(domain)} has a wildcard.`,
        {
          hint: 'A constraint already covers every name under it: give home.lan, not *.home.lan.',
        },
      );
    }
    return domain.toLowerCase();
  });
  const ranges = options.permittedIps.map((cidr) => parseCidr(cidr, 'permittedIps'));
  const bits = options.keyBits ?? DEFAULT_CA_KEY_BITS;
  if (bits !== 3072 && bits !== 4096) {
    throw new HomefaasError('ERR_CA_KEY_BITS', `keyBits ${bits} is not supported.`, {
      hint: 'Use 3072 or 4096.',
    });
  }

  const keys = await generateRsaKeyPair(bits);
  const cert = newCertificate(keys.publicKey, options.now ?? new Date(), options.days);
  const name = [{ shortName: 'CN', value: commonName }];
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
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certPem: unixLines(forge.pki.certificateToPem(cert)),
    keyPem: privateKeyToPkcs8Pem(keys.privateKey),
  };
}

/** Throws `ERR_CERT_DAYS` unless `days` is a whole number from 1 to `max`. */
export function assertDays(days: number, inputName: string, max = 36_500): void {
  if (!Number.isInteger(days) || days < 1 || days > max) {
    throw new HomefaasError(
      'ERR_CERT_DAYS',
      `${inputName} ${days} is out of range: give a whole number from 1 to ${max}.`,
      {
        hint:
          max === 825
            ? 'Apple platforms reject server certificates valid for more than 825 days; 397 is the safe default.'
            : undefined,
      },
    );
  }
}
