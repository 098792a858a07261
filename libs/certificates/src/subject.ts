import { type ErrorCode, HomefaasError } from '@homefaas/core';
import forge from 'node-forge';

const { asn1 } = forge;

/** RFC 5280 ub-common-name: a CN holds at most 64 characters. */
export const MAX_COMMON_NAME_LENGTH = 64;
/** The PrintableString alphabet (X.680 §41.4); anything else needs a UTF8String. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** One attribute of a distinguished name, as forge takes it. */
export interface NameAttribute {
  shortName: string;
  value: string;
  valueTagClass: number;
}

/**
 * Checks a common name against X.509's rules before anything is generated: not empty, at most
 * {@link MAX_COMMON_NAME_LENGTH} characters, no control characters, well-formed Unicode. Returns it trimmed.
 * `inputName` names the option in the message (`--commonName`).
 */
export function assertCommonName(
  value: string,
  inputName: string,
  code: ErrorCode = 'ERR_CERT_COMMON_NAME',
): string {
  const name = value.trim();
  const problem = commonNameProblem(name);
  if (problem !== undefined) {
    throw new HomefaasError(code, `${inputName} ${quoted(name)} ${problem}.`, {
      hint: `Give a name people recognise, at most ${MAX_COMMON_NAME_LENGTH} characters, e.g. ${inputName} "homefaas CA".`,
    });
  }
  return name;
}

/**
 * Name attributes encoded as X.509 requires (RFC 5280 §4.1.2.4): PrintableString when the value fits its
 * alphabet, else UTF8String. forge writes every value as PrintableString unless told, so a name like
 * `Hôme CA` would hold a raw Latin-1 byte that Go's parser (Docker, containerd, k3s) rejects.
 */
export function nameAttributes(fields: ReadonlyArray<{ shortName: string; value: string }>): NameAttribute[] {
  return fields.map(({ shortName, value }) => ({
    shortName,
    value,
    // forge UTF-8-encodes the value itself when the tag is UTF8String.
    valueTagClass: PRINTABLE.test(value) ? asn1.Type.PRINTABLESTRING : asn1.Type.UTF8,
  }));
}

/**
 * The subject Name of a PEM certificate exactly as its DER has it. A leaf's issuer must be these bytes:
 * Go matches issuer to subject byte for byte, and forge, re-encoding a parsed name, would double-encode
 * UTF8String values and split multi-valued RDNs.
 */
export function subjectNameOf(certPem: string): forge.asn1.Asn1 {
  const der = forge.pem.decode(certPem).find((block) => block.type === 'CERTIFICATE');
  const certificate = asn1.fromDer(der?.body ?? '');
  const tbs = Array.isArray(certificate.value) ? certificate.value[0] : undefined;
  const fields = tbs && Array.isArray(tbs.value) ? tbs.value : [];
  // TBSCertificate: [0] version (absent in v1), serial, signature, issuer, validity, subject, …
  const versioned = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const subject = fields[versioned + 4];
  if (subject === undefined) throw new Error('the certificate has no subject');
  return subject;
}

function commonNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (/[\p{Cc}]/u.test(name)) return 'has a control character';
  if (/\p{Cs}/u.test(name)) return 'is not well-formed Unicode';
  const length = [...name].length;
  if (length > MAX_COMMON_NAME_LENGTH) {
    return `is ${length} characters long; X.509 allows at most ${MAX_COMMON_NAME_LENGTH} (RFC 5280 ub-common-name)`;
  }
  return undefined;
}

function quoted(name: string): string {
  const shown = [...name];
  return JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40).join('')}…` : name);
}
