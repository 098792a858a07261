import { HomefaasError } from '@homefaas/core';
import forge from 'node-forge';
import { bytesToIp } from './names';

const { asn1 } = forge;

/** OIDs of the extensions homefaas reads and writes. */
export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  subjectAltName: '2.5.29.17',
  authorityKeyIdentifier: '2.5.29.35',
  nameConstraints: '2.5.29.30',
} as const;

/** GeneralName tags (RFC 5280 §4.2.1.6). */
const DNS_NAME = 2;
const IP_ADDRESS = 7;

/** One extension of a certificate: OID, criticality and the DER inside extnValue. */
export interface RawExtension {
  id: string;
  critical: boolean;
  value: forge.asn1.Asn1;
}

/** What homefaas reads from a certificate's extensions, for any key type. */
export interface ParsedExtensions {
  dnsNames: string[];
  ips: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  permittedDomains: string[];
  permittedIps: string[];
  /** IP constraints as network and mask bytes, for matching. */
  permittedIpRanges: Array<{ address: Buffer; mask: Buffer }>;
}

/**
 * Reads extensions straight from the DER with forge's ASN.1 parser. forge's own certificate parser refuses
 * non-RSA keys and ignores name constraints; this works for any certificate an imported CA might have.
 */
export function readExtensions(pem: string): ParsedExtensions {
  const parsed: ParsedExtensions = {
    dnsNames: [],
    ips: [],
    permittedDomains: [],
    permittedIps: [],
    permittedIpRanges: [],
  };
  for (const ext of rawExtensions(pem)) {
    if (ext.id === OID.subjectAltName) {
      for (const name of children(ext.value)) {
        if (name.type === DNS_NAME) parsed.dnsNames.push(String(name.value));
        if (name.type === IP_ADDRESS) parsed.ips.push(bytesToIp(bytesOf(name)));
      }
    } else if (ext.id === OID.subjectKeyIdentifier) {
      parsed.subjectKeyId = forge.util.bytesToHex(String(ext.value.value));
    } else if (ext.id === OID.authorityKeyIdentifier) {
      const keyId = children(ext.value).find(
        (part) => part.tagClass === asn1.Class.CONTEXT_SPECIFIC && part.type === 0,
      );
      if (keyId) parsed.authorityKeyId = forge.util.bytesToHex(String(keyId.value));
    } else if (ext.id === OID.nameConstraints) {
      const permitted = children(ext.value).find((part) => part.type === 0);
      for (const subtree of permitted ? children(permitted) : []) {
        const base = children(subtree)[0];
        if (base?.type === DNS_NAME) parsed.permittedDomains.push(String(base.value));
        if (base?.type === IP_ADDRESS) {
          const bytes = bytesOf(base);
          const half = bytes.length / 2;
          const range = { address: bytes.subarray(0, half), mask: bytes.subarray(half) };
          parsed.permittedIpRanges.push(range);
          parsed.permittedIps.push(`${bytesToIp(range.address)}/${prefixLength(range.mask)}`);
        }
      }
    }
  }
  return parsed;
}

/** Encodes the nameConstraints extension value (permitted subtrees only) as DER bytes. */
export function encodeNameConstraints(
  domains: readonly string[],
  ranges: ReadonlyArray<{ address: Buffer; mask: Buffer }>,
): string {
  const subtree = (name: forge.asn1.Asn1) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [name]);
  const subtrees = [
    ...domains.map((domain) => subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, DNS_NAME, false, domain))),
    ...ranges.map((range) =>
      subtree(
        asn1.create(
          asn1.Class.CONTEXT_SPECIFIC,
          IP_ADDRESS,
          false,
          Buffer.concat([range.address, range.mask]).toString('binary'),
        ),
      ),
    ),
  ];
  const permitted = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, subtrees);
  return asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [permitted])).getBytes();
}

/** The extensions of a PEM certificate, each with its value already decoded from the OCTET STRING. */
function rawExtensions(pem: string): RawExtension[] {
  let certificate: forge.asn1.Asn1;
  try {
    const der = forge.pem.decode(pem).find((block) => block.type === 'CERTIFICATE');
    if (!der) throw new Error('no CERTIFICATE block');
    certificate = asn1.fromDer(der.body);
  } catch (error) {
    throw new HomefaasError('ERR_CERT_PARSE', 'The text is not a PEM certificate.', { cause: error });
  }
  const tbs = children(certificate)[0];
  const wrapper = children(tbs).find(
    (part) => part.tagClass === asn1.Class.CONTEXT_SPECIFIC && part.type === 3,
  );
  const list = wrapper ? children(wrapper)[0] : undefined;
  return children(list).map((ext) => {
    const parts = children(ext);
    const critical = parts.length === 3 && String(parts[1]?.value) === '\xff';
    const octets = parts[parts.length - 1];
    return {
      id: asn1.derToOid(String(parts[0]?.value)),
      critical,
      value: asn1.fromDer(String(octets?.value)),
    };
  });
}

function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

function bytesOf(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(String(node.value), 'binary');
}

function prefixLength(mask: Buffer): number {
  let bits = 0;
  for (const byte of mask) bits += byte.toString(2).replace(/0/g, '').length;
  return bits;
}
