import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCa } from './ca';
import { describeCertificate } from './describe';
import { issueServerCertificate } from './leaf';
import { assertCommonName, nameAttributes, subjectNameOf } from './subject';
import { run, scratch } from './test-support/test-tools';
import type { CaMaterial } from './types';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('./keygen'), async (original) =>
  (await import('./test-support/shared-keys')).withSharedKeys(await original()),
);

// Names X.509 writers get wrong: a Latin-1 letter, a symbol outside Latin-1, a PrintableString-only
// name, and ASCII characters that PrintableString does not have.
const NAMES = ['Hôme CA', '☃ CA', 'homefaas CA', 'A&B_CA@home'];
const files = scratch('homefaas-subject-');
const cas = new Map<string, CaMaterial>();

beforeAll(async () => {
  const made = await Promise.all(
    NAMES.map((commonName) =>
      createCa({ commonName, permittedDomains: ['home.lan'], permittedIps: [], days: 30, keyBits: 3072 }),
    ),
  );
  for (const [i, name] of NAMES.entries()) cas.set(name, made[i] as CaMaterial);
});
afterAll(() => files.remove());

function caFor(name: string): CaMaterial {
  const ca = cas.get(name);
  if (!ca) throw new Error(`no CA ${name}`);
  return ca;
}

/** The ASN.1 string type OpenSSL reports for the CN of the certificate's subject. */
function cnStringType(pem: string): string | undefined {
  const parsed = run('openssl', ['asn1parse'], pem).stdout.split('\n');
  const at = parsed.findIndex((line) => line.includes(':commonName'));
  return /prim: (\w+)/.exec(parsed[at + 1] ?? '')?.[1];
}

/** The issuer Name of a v3 certificate, straight from its DER (TBSCertificate field 3). */
function issuerNameOf(pem: string): forge.asn1.Asn1 {
  const certificate = forge.asn1.fromDer(forge.pem.decode(pem)[0]?.body ?? '');
  const tbs = (certificate.value as forge.asn1.Asn1[])[0] as forge.asn1.Asn1;
  return (tbs.value as forge.asn1.Asn1[])[3] as forge.asn1.Asn1;
}

function derHex(node: forge.asn1.Asn1): string {
  return forge.util.bytesToHex(forge.asn1.toDer(node).getBytes());
}

describe('CA and leaf names', () => {
  it.each([
    ['Hôme CA', 'UTF8STRING'],
    ['☃ CA', 'UTF8STRING'],
    ['homefaas CA', 'PRINTABLESTRING'],
    ['A&B_CA@home', 'UTF8STRING'],
  ])('%s is written as a %s that OpenSSL and Node read back', (name, type) => {
    const { certPem } = caFor(name);
    expect(cnStringType(certPem)).toBe(type);
    const text = run('openssl', ['x509', '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus'], certPem);
    expect(text.stdout.trim()).toBe(`subject=CN=${name}`);
    expect(new X509Certificate(certPem).subject).toBe(`CN=${name}`);
    expect(describeCertificate(certPem).commonName).toBe(name);
  });

  it.each(NAMES)(
    'a leaf of %s names its issuer with exactly the CA subject bytes, and openssl verifies it',
    async (name) => {
      const ca = caFor(name);
      const leaf = await issueServerCertificate(ca, { dnsNames: ['n.home.lan'], ips: [], days: 10 });
      expect(derHex(issuerNameOf(leaf.certPem))).toBe(derHex(subjectNameOf(ca.certPem)));
      const caFile = files.file(`${cas.size}-${NAMES.indexOf(name)}.pem`, ca.certPem);
      const verify = run('openssl', ['verify', '-CAfile', caFile], leaf.certPem);
      expect(verify.stdout + verify.stderr).toContain(': OK');
    },
  );

  it('a leaf of a CA that openssl made with a UTF-8 name keeps its issuer bytes', async () => {
    const key = files.file('seed.key', run('openssl', ['genrsa', '2048']).stdout);
    const made = run('openssl', [
      'req',
      '-x509',
      '-new',
      '-utf8',
      '-key',
      key,
      '-days',
      '30',
      '-subj',
      '/O=Famille Müller/CN=Mäuse CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ]);
    expect(made.status).toBe(0);
    const ca = { certPem: made.stdout, keyPem: run('openssl', ['pkey', '-in', key]).stdout };
    const leaf = await issueServerCertificate(ca, { dnsNames: ['m.home.lan'], ips: [], days: 10 });
    expect(new X509Certificate(leaf.certPem).issuer).toBe('O=Famille Müller\nCN=Mäuse CA');
    const verify = run('openssl', ['verify', '-CAfile', files.file('seed.pem', ca.certPem)], leaf.certPem);
    expect(verify.stdout + verify.stderr).toContain(': OK');
  });

  it('a leaf whose first name is longer than a CN may be has no CN and a critical SAN', async () => {
    const long = `${'a'.repeat(60)}.home.lan`;
    const ca = caFor('homefaas CA');
    const leaf = await issueServerCertificate(ca, { dnsNames: [long], ips: [], days: 10 });
    const text = run('openssl', ['x509', '-noout', '-text'], leaf.certPem).stdout;
    expect(text).toMatch(/Subject: *\n/);
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical\s+DNS:a{60}\.home\.lan/);
    const verify = run('openssl', ['verify', '-CAfile', files.file('plain.pem', ca.certPem)], leaf.certPem);
    expect(verify.stdout + verify.stderr).toContain(': OK');
  });
});

describe('assertCommonName', () => {
  it.each([
    ['homefaas CA', 'homefaas CA'],
    ['  padded  ', 'padded'],
    ['Hôme CA', 'Hôme CA'],
    ['☃'.repeat(64), '☃'.repeat(64)],
    ['a'.repeat(64), 'a'.repeat(64)],
  ])('accepts %j', (value, trimmed) => {
    expect(assertCommonName(value, '--commonName')).toBe(trimmed);
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['a'.repeat(65), 'is 65 characters long; X.509 allows at most 64'],
    ['☃'.repeat(65), 'is 65 characters long'],
    ['x'.repeat(5000), 'is 5000 characters long'],
    ['line\nbreak', 'control character'],
    ['nul\u0000', 'control character'],
    ['half \ud800 pair', 'not well-formed Unicode'],
  ])('refuses %j: %s', (value, problem) => {
    let error: { code?: string; message?: string; hint?: string } = {};
    try {
      assertCommonName(value, '--commonName', 'ERR_CA_COMMON_NAME');
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error.code).toBe('ERR_CA_COMMON_NAME');
    expect(error.message).toContain('--commonName');
    expect(error.message).toContain(problem);
    expect(error.message?.length).toBeLessThan(200);
    expect(error.hint).toContain('at most 64');
  });

  it('createCa refuses a 5000-character name', async () => {
    await expect(
      createCa({ commonName: 'x'.repeat(5000), permittedDomains: [], permittedIps: [], days: 1 }),
    ).rejects.toMatchObject({
      code: 'ERR_CA_COMMON_NAME',
      message: expect.stringContaining('5000 characters'),
    });
  });
});

describe('nameAttributes', () => {
  it.each([
    ['homefaas CA', forge.asn1.Type.PRINTABLESTRING],
    ["Joe's (home) CA, v1.0: a=b? +-/", forge.asn1.Type.PRINTABLESTRING],
    ['*.fn.home.lan', forge.asn1.Type.UTF8],
    ['under_score', forge.asn1.Type.UTF8],
    ['Hôme', forge.asn1.Type.UTF8],
  ])('%j → tag %i', (value, tag) => {
    expect(nameAttributes([{ shortName: 'CN', value }])).toEqual([
      { shortName: 'CN', value, valueTagClass: tag },
    ]);
  });
});
