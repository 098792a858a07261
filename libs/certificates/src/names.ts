import { isIP } from 'node:net';
import { HomefaasError } from '@homefaas/core';

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const DNS_HINT =
  'Use dot-separated labels of letters, digits and inner hyphens, each at most 63 characters (e.g. registry.home.lan); give IP addresses with --ip.';

/**
 * Throws `ERR_CERT_DNS_NAME` unless `name` is a host name per RFC 1123 (a leftmost `*` label is allowed, as in
 * `*.fn.home.lan`). `inputName` names the option in the message (`--altNames`).
 */
export function assertDnsName(name: string, inputName: string): void {
  const problem = dnsNameProblem(name);
  if (problem !== undefined) {
    throw new HomefaasError(
      'ERR_CERT_DNS_NAME',
      `${inputName} ${JSON.stringify(name)} is not a DNS name: ${problem}.`,
      {
        hint: DNS_HINT,
      },
    );
  }
}

/** Why `name` is not a DNS name, or `undefined` when it is one. */
function dnsNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.length > MAX_NAME_LENGTH)
    return `it is ${name.length} characters long, the limit is ${MAX_NAME_LENGTH}`;
  if (isIP(name) !== 0) return 'it is an IP address';
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  if (wildcard && labels.length < 3)
    return 'a wildcard needs at least two labels after "*." (like *.fn.home.lan)';
  for (const [index, label] of labels.entries()) {
    if (index === 0 && wildcard) continue;
    if (label === '') return 'it has an empty label (a leading, trailing or doubled dot)';
    if (label.length > MAX_LABEL_LENGTH) {
      return `the label "${label.slice(0, 20)}…" is ${label.length} characters long, the limit is ${MAX_LABEL_LENGTH}`;
    }
    if (label.includes('*')) return 'a wildcard may only be the whole leftmost label';
    if (!LABEL.test(label)) {
      return label.startsWith('-') || label.endsWith('-')
        ? `the label "${label}" starts or ends with a hyphen`
        : `the label "${label}" has a character other than a letter, digit or hyphen`;
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return 'its last label is all digits';
  return undefined;
}

/** Throws `ERR_CERT_IP` unless `ip` is an IPv4 or IPv6 address (no zone, no prefix). */
export function assertIp(ip: string, inputName: string): void {
  if (isIP(ip) === 0 || ip.includes('%')) {
    throw new HomefaasError('ERR_CERT_IP', `${inputName} ${JSON.stringify(ip)} is not an IP address.`, {
      hint: 'Give IPv4 addresses like 192.168.1.20 or IPv6 addresses like fd00::20, separated by commas.',
    });
  }
}

/** An address range: network address bytes and mask bytes of the same length (4 or 16). */
export interface IpRange {
  address: Buffer;
  mask: Buffer;
}

/**
 * Parses a CIDR range (`192.168.0.0/16`, `127.0.0.1/32`, `fd00::/8`; a bare address means a single host).
 * Throws `ERR_CERT_CIDR` for anything else, including host bits set beyond the prefix.
 */
export function parseCidr(cidr: string, inputName: string): IpRange {
  const [ip = '', prefixText, ...rest] = cidr.split('/');
  const fail = (problem: string, hint?: string): never => {
    throw new HomefaasError(
      'ERR_CERT_CIDR',
      `${inputName} ${JSON.stringify(cidr)} is not an IP range: ${problem}.`,
      {
        hint:
          hint ?? 'Give ranges in CIDR notation like 192.168.0.0/16 or 127.0.0.1/32, separated by commas.',
      },
    );
  };
  if (rest.length > 0 || isIP(ip) === 0 || ip.includes('%')) return fail('it does not parse');
  const address = ipToBytes(ip);
  const bits = address.length * 8;
  const prefix =
    prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) return fail(`the prefix length must be 0 to ${bits}`);
  const mask = Buffer.alloc(address.length);
  for (let i = 0; i < address.length; i++)
    mask[i] = (0xff << Math.max(0, 8 - Math.max(0, prefix - i * 8))) & 0xff;
  const network = Buffer.from(address.map((byte, i) => byte & (mask[i] ?? 0)));
  if (!network.equals(address)) {
    const fixed = `${bytesToIp(network)}/${prefix}`;
    return fail('it has host bits set after the prefix', `Did you mean ${fixed}?`);
  }
  return { address, mask };
}

/** The 4 or 16 bytes of an IP address. */
export function ipToBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail] = ip.split('::');
  const words = (part: string) => (part === '' ? [] : part.split(':'));
  let headWords = words(head);
  let tailWords = tail === undefined ? [] : words(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two 16-bit words.
  const expand = (list: string[]) =>
    list.flatMap((word) => {
      if (!word.includes('.')) return [word];
      const [a = 0, b = 0, c = 0, d = 0] = word.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  headWords = expand(headWords);
  tailWords = expand(tailWords);
  const zeros = tail === undefined ? [] : Array(8 - headWords.length - tailWords.length).fill('0');
  const all = [...headWords, ...zeros, ...tailWords];
  const bytes = Buffer.alloc(16);
  for (const [i, word] of all.entries()) bytes.writeUInt16BE(Number.parseInt(word, 16), i * 2);
  return bytes;
}

/** Dotted IPv4 or canonical (RFC 5952) IPv6 text of 4 or 16 bytes. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Canonical text of an IP address, so `::1` and `0:0:0:0:0:0:0:1` compare equal. */
export function normalizeIp(ip: string): string {
  return bytesToIp(ipToBytes(ip));
}
