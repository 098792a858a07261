import { readExtensions } from './extensions';
import { ipToBytes, normalizeIp } from './names';

/** Names and IPs a certificate is to carry. */
export interface CertificateNames {
  dnsNames: string[];
  ips: string[];
}

/**
 * Names outside the CA's name constraints (RFC 5280 §4.2.1.10), one message each; empty when all are
 * permitted. A DNS constraint `home.lan` permits `home.lan` and every name under it (`*.fn.home.lan` too).
 * As in Go and OpenSSL, a constraint restricts only its own name type: without IP ranges, any IP passes.
 */
export function checkNameConstraints(caPem: string, names: CertificateNames): string[] {
  const { permittedDomains, permittedIps, permittedIpRanges } = readExtensions(caPem);
  const violations: string[] = [];
  if (permittedDomains.length > 0) {
    for (const name of names.dnsNames) {
      if (!permittedDomains.some((domain) => dnsNameWithin(name, domain))) {
        violations.push(`${name} is outside the CA's permitted domains (${permittedDomains.join(', ')})`);
      }
    }
  }
  if (permittedIpRanges.length > 0) {
    for (const ip of names.ips) {
      const bytes = ipToBytes(ip);
      const inside = permittedIpRanges.some(
        (range) =>
          range.address.length === bytes.length &&
          bytes.every((byte, i) => (byte & (range.mask[i] ?? 0)) === range.address[i]),
      );
      if (!inside)
        violations.push(
          `${normalizeIp(ip)} is outside the CA's permitted IP ranges (${permittedIps.join(', ')})`,
        );
    }
  }
  return violations;
}

/** RFC 5280: a DNS constraint matches the name itself and any name made by adding labels on the left. */
function dnsNameWithin(name: string, domain: string): boolean {
  const n = name.toLowerCase();
  const d = domain.toLowerCase();
  // A leading dot (`.home.lan`) means "names under it" only, as OpenSSL reads it.
  if (d.startsWith('.')) return n.endsWith(d);
  return n === d || n.endsWith(`.${d}`);
}
