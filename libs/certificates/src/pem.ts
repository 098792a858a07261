import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/**
 * What is wrong with a file that should hold a PEM certificate or key, told apart so that a damaged file is
 * never reported as a wrong passphrase: `empty`, `binary` (DER or another binary file), `not-pem` (text
 * without a `-----BEGIN` line), `other-type` (PEM of the wrong kind, like a key where the certificate
 * belongs), `truncated` (its `-----END` line is missing) and `corrupt` (the body does not decode or parse).
 */
export interface PemProblem {
  kind: 'empty' | 'binary' | 'not-pem' | 'other-type' | 'truncated' | 'corrupt';
  /** Completes "<file> …", e.g. `is cut short: its "-----END CERTIFICATE-----" line is missing`. */
  detail: string;
}

// forge takes an options object here; @types/node-forge knows only the older boolean.
const strictFromDer = forge.asn1.fromDer as unknown as (
  bytes: string,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
) => forge.asn1.Asn1;

/** PEM labels of the private keys homefaas reads (PKCS#8, encrypted PKCS#8, OpenSSL's legacy RSA and EC). */
const KEY_LABELS = ['ENCRYPTED PRIVATE KEY', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
/** Block size every PEM cipher here shares (DES is 8, AES 16): a ciphertext of another length is cut. */
const CIPHER_BLOCK = 8;

/** Why `text` is not a PEM X.509 certificate that parses, or `undefined` when it is one. */
export function certificateTextProblem(text: string): PemProblem | undefined {
  const block = findBlock(text, ['CERTIFICATE'], 'certificate');
  if ('kind' in block) return block;
  const structure = derProblem(block.der);
  if (structure) return structure;
  try {
    new X509Certificate(block.der);
  } catch (error) {
    return corrupt(`its content is not an X.509 certificate (${(error as Error).message})`);
  }
  return undefined;
}

/**
 * Why `text` is not a complete PEM private key, or `undefined` when its structure is whole. Needs no
 * passphrase: an encrypted key is checked down to its ciphertext's length, which a cut file gets wrong.
 */
export function privateKeyTextProblem(text: string): PemProblem | undefined {
  const block = findBlock(text, KEY_LABELS, 'private key');
  if ('kind' in block) return block;
  if (/Proc-Type:\s*4,\s*ENCRYPTED/.test(block.headers)) {
    // OpenSSL's legacy encryption: the body is ciphertext only, so its length is all there is to check.
    return block.der.length > 0 && block.der.length % CIPHER_BLOCK === 0
      ? undefined
      : corrupt(`its encrypted body is ${block.der.length} bytes, not whole cipher blocks (cut short?)`);
  }
  const structure = derProblem(block.der);
  if (structure) return structure;
  if (block.label === 'ENCRYPTED PRIVATE KEY') {
    const parts = forge.asn1.fromDer(block.der.toString('binary')).value;
    const data = Array.isArray(parts) ? parts[1] : undefined;
    const length = typeof data?.value === 'string' ? data.value.length : -1;
    if (length <= 0 || length % CIPHER_BLOCK !== 0) {
      return corrupt('its encrypted data is not whole cipher blocks (cut short?)');
    }
  }
  return undefined;
}

interface PemBlock {
  label: string;
  /** The header lines of a legacy encrypted key (`Proc-Type`, `DEK-Info`), else empty. */
  headers: string;
  der: Buffer;
}

/** The first block with one of `labels`, decoded, or why there is none. */
function findBlock(text: string, labels: readonly string[], what: string): PemBlock | PemProblem {
  if (text.trim() === '') return { kind: 'empty', detail: 'is empty' };
  const begins = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)];
  if (begins.length === 0) {
    // Bytes a text file never has: DER, or another binary file read as UTF-8.
    return /(?![\t\n\r])\p{Cc}|\ufffd/u.test(text)
      ? { kind: 'binary', detail: `is binary (DER?), not a PEM ${what}` }
      : { kind: 'not-pem', detail: `has no "-----BEGIN" line: it is not a PEM ${what}` };
  }
  const begin = begins.find((match) => labels.includes(match[1] ?? ''));
  if (begin === undefined) {
    return { kind: 'other-type', detail: `holds a PEM ${begins[0]?.[1]}, not a ${what}` };
  }
  const label = begin[1] ?? '';
  const end = `-----END ${label}-----`;
  const start = (begin.index ?? 0) + begin[0].length;
  const stop = text.indexOf(end, start);
  if (stop < 0) return { kind: 'truncated', detail: `is cut short: its "${end}" line is missing` };
  const inner = text.slice(start, stop).replace(/\r\n/g, '\n');
  const split = inner.match(/^\s*((?:[A-Za-z-]+:[^\n]*\n)+)\n([\s\S]*)$/);
  const headers = split?.[1] ?? '';
  const base64 = (split?.[2] ?? inner).replace(/\s+/g, '');
  if (base64 === '' || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    return corrupt('its base64 body is damaged (lines missing or changed)');
  }
  return { label, headers, der: Buffer.from(base64, 'base64') };
}

/** Strict DER parse of the whole body: a missing or extra byte anywhere is found here. */
function derProblem(der: Buffer): PemProblem | undefined {
  try {
    strictFromDer(der.toString('binary'), { strict: true, parseAllBytes: true, decodeBitStrings: false });
    return undefined;
  } catch (error) {
    return corrupt(`its DER structure is damaged (${(error as Error).message})`);
  }
}

function corrupt(detail: string): PemProblem {
  return { kind: 'corrupt', detail };
}
