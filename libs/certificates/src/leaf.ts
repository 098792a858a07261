import { HomefaasError } from '@homefaas/core';
import { checkNameConstraints } from './constraints';
import { assertDays } from './days';
import { keyMatchesCertificate } from './keys';
import { assertSigningCa, DEFAULT_LEAF_KEY_BITS, signLeaf } from './leaf-profile';
import { assertDnsName, assertIp, normalizeIp } from './names';
import { assertCommonName } from './subject';
import type { CaMaterial, IssueServerOptions, LeafMaterial } from './types';

export { DEFAULT_LEAF_KEY_BITS };

/**
 * Issues a server certificate signed by the CA, with the leaf profile of TRUST.md: every name in the SAN,
 * `serverAuth`, `digitalSignature, keyEncipherment`, `CA:FALSE`, the CA's key id as authority key id.
 * Every input, the CA pair and the CA's name constraints are checked before a key is generated.
 */
export async function issueServerCertificate(
  ca: CaMaterial,
  options: IssueServerOptions,
): Promise<LeafMaterial> {
  for (const name of options.dnsNames) assertDnsName(name, 'dnsNames');
  for (const ip of options.ips) assertIp(ip, 'ips');
  const dnsNames = [...new Set(options.dnsNames.map((name) => name.toLowerCase()))];
  const ips = [...new Set(options.ips.map(normalizeIp))];
  if (dnsNames.length === 0 && ips.length === 0) {
    throw new HomefaasError('ERR_CERT_NO_NAMES', 'A server certificate needs at least one DNS name or IP.', {
      hint: 'Give the host name clients connect to, and --ip for addresses.',
    });
  }
  assertDays(options.days, 'days');
  const commonName =
    options.commonName === undefined ? undefined : assertCommonName(options.commonName, 'commonName');
  const bits = options.keyBits ?? DEFAULT_LEAF_KEY_BITS;
  if (!Number.isInteger(bits) || bits < 2048 || bits > 8192) {
    throw new HomefaasError('ERR_CERT_KEY_BITS', `keyBits ${bits} is not supported.`, {
      hint: 'Use 2048 to 8192.',
    });
  }
  assertSigningCa(ca.certPem);
  if (!keyMatchesCertificate(ca.keyPem, ca.certPem)) {
    throw new HomefaasError('ERR_CA_MISMATCH', 'The CA key does not belong to the CA certificate.');
  }
  // OpenSSL checks a host-name-like CN against DNS constraints when there is no DNS SAN; so do we.
  const cnAsName = dnsNames.length === 0 && commonName !== undefined ? [commonName] : [];
  const violations = checkNameConstraints(ca.certPem, { dnsNames: [...dnsNames, ...cnAsName], ips });
  if (violations.length > 0) {
    throw new HomefaasError(
      'ERR_CERT_CONSTRAINTS',
      `The CA may not sign these names: ${violations.join('; ')}.`,
      {
        hint: 'Use names under the permitted domains, or create a CA that permits them (npx nx g ca --rotate).',
      },
    );
  }
  return signLeaf(ca, { ...options, commonName, dnsNames, ips, keyBits: bits });
}
