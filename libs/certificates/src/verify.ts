import { X509Certificate } from 'node:crypto';
import { checkNameConstraints } from './constraints';
import { readExtensions } from './extensions';
import type { VerificationResult, VerificationTarget } from './types';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/**
 * Verifies a server certificate as a TLS client would, with Node's `crypto.X509Certificate`: issued and
 * signed by the CA, both within their validity at `now`, the leaf not a CA, `serverAuth` allowed, the
 * CA's name constraints honoured, and `target.host` / `target.ip` matched by the SAN (never by the CN, as
 * Go since 1.15). Collects every problem instead of stopping at the first.
 */
export function verifyServerCertificate(
  certPem: string,
  caPem: string,
  target: VerificationTarget,
  now: Date = new Date(),
): VerificationResult {
  const problems: string[] = [];
  let leaf: X509Certificate;
  let ca: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
    ca = new X509Certificate(caPem);
  } catch {
    return { ok: false, problems: ['the certificate or the CA certificate does not parse'] };
  }
  if (!ca.ca) problems.push('the CA certificate is not a CA');
  if (!leaf.checkIssued(ca))
    problems.push(`not issued by this CA (issuer ${leaf.issuer.replace(/\n/g, ', ')})`);
  else if (!leaf.verify(ca.publicKey)) problems.push('the signature does not verify with the CA key');
  problems.push(...validityProblems(leaf, 'the certificate', now), ...validityProblems(ca, 'the CA', now));
  if (leaf.ca) problems.push('the certificate is a CA, not a server certificate');
  const usages = leaf.keyUsage;
  if (usages && usages.length > 0 && !usages.includes(SERVER_AUTH)) {
    problems.push('extendedKeyUsage does not allow TLS server authentication');
  }
  const names = readExtensions(certPem);
  problems.push(...checkNameConstraints(caPem, { dnsNames: names.dnsNames, ips: names.ips }));
  if (target.host !== undefined && leaf.checkHost(target.host, { subject: 'never' }) === undefined) {
    problems.push(`${target.host} is not among its DNS names (${names.dnsNames.join(', ') || 'none'})`);
  }
  if (target.ip !== undefined && leaf.checkIP(target.ip) === undefined) {
    problems.push(`${target.ip} is not among its IP addresses (${names.ips.join(', ') || 'none'})`);
  }
  return { ok: problems.length === 0, problems };
}

function validityProblems(cert: X509Certificate, what: string, now: Date): string[] {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) return [`${what} is not valid before ${notBefore.toISOString()}`];
  if (now > notAfter) return [`${what} expired on ${notAfter.toISOString()}`];
  return [];
}
