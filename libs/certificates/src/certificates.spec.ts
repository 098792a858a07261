import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCa } from './ca';
import { checkNameConstraints } from './constraints';
import { describeCertificate } from './describe';
import { issueServerCertificate } from './leaf';
import { run, scratch } from './test-support/test-tools';
import { signLeafUnchecked } from './test-support/unchecked-leaf';
import type { CaMaterial } from './types';
import { verifyServerCertificate } from './verify';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('./keygen'), async (original) =>
  (await import('./test-support/shared-keys')).withSharedKeys(await original()),
);

const NOW = new Date();
const files = scratch();
let ca: CaMaterial;
let caFile: string;
let openCa: CaMaterial;

beforeAll(async () => {
  [ca, openCa] = await Promise.all([
    createCa({
      commonName: 'homefaas test CA',
      permittedDomains: ['home.lan', 'home.arpa'],
      permittedIps: ['127.0.0.1/32', '192.168.0.0/16', 'fd00::/8'],
      days: 3650,
    }),
    createCa({ commonName: 'open CA', permittedDomains: [], permittedIps: [], days: 30, keyBits: 3072 }),
  ]);
  caFile = files.file('ca.pem', ca.certPem);
});
afterAll(() => files.remove());

function opensslText(pem: string): string {
  const result = run('openssl', ['x509', '-noout', '-text'], pem);
  expect(result.status).toBe(0);
  return result.stdout;
}

function opensslVerify(
  caPath: string,
  leafPem: string,
  extra: string[] = [],
): { ok: boolean; output: string } {
  const leaf = files.file(`leaf-${Math.random().toString(36).slice(2)}.pem`, leafPem);
  const result = run('openssl', ['verify', '-CAfile', caPath, ...extra, leaf]);
  return { ok: result.status === 0, output: result.stdout + result.stderr };
}

describe('createCa', () => {
  it('has the root profile: 4096-bit RSA, SHA-256, critical CA:TRUE pathlen:0 and keyCertSign/cRLSign, key id, CN', () => {
    const text = opensslText(ca.certPem);
    expect(text).toContain('Public-Key: (4096 bit)');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/X509v3 Subject Key Identifier:\s+[0-9A-F:]{59}/);
    expect(text).toContain('Subject: CN = homefaas test CA');
  });

  it('carries critical name constraints that OpenSSL reads', () => {
    const text = opensslText(ca.certPem);
    expect(text).toMatch(
      /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:home\.lan\s+DNS:home\.arpa\s+IP:127\.0\.0\.1\/255\.255\.255\.255\s+IP:192\.168\.0\.0\/255\.255\.0\.0\s+IP:FD00:0:0:0:0:0:0:0\/FF00:0:0:0:0:0:0:0/,
    );
  });

  it('has no name constraints when none are given', () => {
    expect(opensslText(openCa.certPem)).not.toContain('Name Constraints');
    expect(opensslText(openCa.certPem)).toContain('Public-Key: (3072 bit)');
  });

  it('is self-signed and verifies with OpenSSL as a trust anchor', () => {
    expect(opensslVerify(caFile, ca.certPem).ok).toBe(true);
    expect(new X509Certificate(ca.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('uses a positive 16-byte random serial and exactly the requested validity', () => {
    const info = describeCertificate(ca.certPem);
    expect(info.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(info.serialNumber).not.toBe(describeCertificate(openCa.certPem).serialNumber);
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(3650 * 86_400_000);
    expect(info.notBefore.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    [{ commonName: ' ' }, 'ERR_CA_COMMON_NAME'],
    [{ days: 0 }, 'ERR_CERT_DAYS'],
    [{ days: 1.5 }, 'ERR_CERT_DAYS'],
    [{ permittedDomains: ['bad domain'] }, 'ERR_CERT_DNS_NAME'],
    [{ permittedDomains: ['*.home.lan'] }, 'ERR_CERT_DNS_NAME'],
    [{ permittedIps: ['192.168.1.0/16'] }, 'ERR_CERT_CIDR'],
    [{ keyBits: 2048 }, 'ERR_CA_KEY_BITS'],
  ])('refuses %j with %s', async (override, code) => {
    const options = { commonName: 'x', permittedDomains: [], permittedIps: [], days: 10, ...override };
    await expect(createCa(options as Parameters<typeof createCa>[0])).rejects.toMatchObject({ code });
  });
});

describe('issueServerCertificate', () => {
  it('has the leaf profile, checked by openssl x509 -text', async () => {
    const leaf = await issueServerCertificate(ca, {
      dnsNames: ['docker-registry.home.lan', '*.fn.home.lan'],
      ips: ['127.0.0.1', '192.168.1.20'],
      days: 397,
    });
    const text = opensslText(leaf.certPem);
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toContain(
      'DNS:docker-registry.home.lan, DNS:*.fn.home.lan, IP Address:127.0.0.1, IP Address:192.168.1.20',
    );
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toContain('Subject: CN = docker-registry.home.lan');
    expect(text).toContain('Issuer: CN = homefaas test CA');
    const caKeyId = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(opensslText(ca.certPem))?.[1];
    expect(caKeyId).toBeDefined();
    expect(text).toMatch(new RegExp(`Authority Key Identifier:\\s+(keyid:)?${caKeyId}`));
    const info = describeCertificate(leaf.certPem);
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(397 * 86_400_000);
    expect(leaf.fullchainPem).toBe(`${leaf.certPem.trimEnd()}\n${ca.certPem.trimEnd()}\n`);
  });

  it.each([
    [['docker-registry.home.lan'], []],
    [['registry.home.arpa'], ['192.168.1.20']],
    [['home.lan', '*.fn.home.lan'], ['127.0.0.1']],
    [[], ['127.0.0.1']],
    [['a.b.c.home.lan'], ['fd00::20']],
  ])('issues %j %j that openssl verify accepts', async (dnsNames, ips) => {
    const leaf = await issueServerCertificate(ca, { dnsNames, ips, days: 30 });
    const result = opensslVerify(caFile, leaf.certPem);
    expect(result.output).toContain(': OK');
    expect(result.ok).toBe(true);
    expect(verifyServerCertificate(leaf.certPem, ca.certPem, {})).toEqual({ ok: true, problems: [] });
  });

  it('is checked for the host name and IP by openssl verify too', async () => {
    const leaf = await issueServerCertificate(ca, {
      dnsNames: ['docker-registry.home.lan'],
      ips: ['127.0.0.1'],
      days: 30,
    });
    expect(opensslVerify(caFile, leaf.certPem, ['-verify_hostname', 'docker-registry.home.lan']).ok).toBe(
      true,
    );
    expect(opensslVerify(caFile, leaf.certPem, ['-verify_ip', '127.0.0.1']).ok).toBe(true);
    const wrong = opensslVerify(caFile, leaf.certPem, ['-verify_hostname', 'other.home.lan']);
    expect(wrong.ok).toBe(false);
    expect(wrong.output).toContain('hostname mismatch');
  });

  it.each([
    [{ days: 826 }, 'ERR_CERT_DAYS', /days 826.*1 to 825/],
    [{ days: 0 }, 'ERR_CERT_DAYS', /days 0/],
    [{ dnsNames: ['bad name.home.lan'] }, 'ERR_CERT_DNS_NAME', /"bad name\.home\.lan"/],
    [{ ips: ['300.1.1.1'] }, 'ERR_CERT_IP', /"300\.1\.1\.1"/],
    [{ dnsNames: [], ips: [] }, 'ERR_CERT_NO_NAMES', /at least one/],
    [{ keyBits: 1024 }, 'ERR_CERT_KEY_BITS', /1024/],
    [{ dnsNames: ['www.google.com'] }, 'ERR_CERT_CONSTRAINTS', /www\.google\.com is outside/],
    [{ ips: ['10.0.0.1'] }, 'ERR_CERT_CONSTRAINTS', /10\.0\.0\.1 is outside/],
    [
      { dnsNames: [], ips: ['127.0.0.1'], commonName: 'evil.com' },
      'ERR_CERT_CONSTRAINTS',
      /evil\.com is outside/,
    ],
  ])('refuses %j', async (override, code, message) => {
    const options = { dnsNames: ['ok.home.lan'], ips: [], days: 30, ...override };
    const attempt = issueServerCertificate(ca, options);
    await expect(attempt).rejects.toMatchObject({ code });
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses a CA key that does not belong to the CA certificate', async () => {
    const mixed = { certPem: ca.certPem, keyPem: openCa.keyPem };
    await expect(
      issueServerCertificate(mixed, { dnsNames: ['a.home.lan'], ips: [], days: 30 }),
    ).rejects.toMatchObject({
      code: 'ERR_CA_MISMATCH',
    });
  });
});

describe('name constraints, enforced by OpenSSL and by our verification', () => {
  it.each([
    [['www.google.com'], [], 'permitted subtree violation'],
    [['home.lan.evil.com'], [], 'permitted subtree violation'],
    [['registry.home.lan'], ['10.0.0.1'], 'permitted subtree violation'],
  ])('a leaf for %j %j signed by bypassing the guard fails openssl verify', async (dnsNames, ips, reason) => {
    const forged = await signLeafUnchecked(ca, { dnsNames, ips, days: 30 });
    const result = opensslVerify(caFile, forged.certPem);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(reason);
    const ours = verifyServerCertificate(forged.certPem, ca.certPem, {});
    expect(ours.ok).toBe(false);
    expect(ours.problems.join()).toContain('is outside');
  });

  it('the same names pass under an unconstrained CA', async () => {
    const leaf = await issueServerCertificate(openCa, {
      dnsNames: ['www.google.com'],
      ips: ['10.0.0.1'],
      days: 30,
    });
    expect(opensslVerify(files.file('open.pem', openCa.certPem), leaf.certPem).ok).toBe(true);
  });

  it.each([
    [
      {
        dnsNames: ['home.lan', 'x.home.lan', '*.fn.home.lan', 'X.HOME.ARPA'],
        ips: ['127.0.0.1', '192.168.7.7', 'fd12::1'],
      },
      0,
    ],
    [{ dnsNames: ['evilhome.lan'], ips: [] }, 1],
    [{ dnsNames: ['lan'], ips: ['127.0.0.2'] }, 2],
    [{ dnsNames: [], ips: ['::1', '192.169.0.1'] }, 2],
  ])('checkNameConstraints(%j) finds %i violations', (names, count) => {
    expect(checkNameConstraints(ca.certPem, names)).toHaveLength(count);
  });
});

describe('describeCertificate', () => {
  it('agrees with openssl on fingerprint, serial, names and key ids', async () => {
    const leaf = await issueServerCertificate(ca, { dnsNames: ['r.home.lan'], ips: ['127.0.0.1'], days: 10 });
    const info = describeCertificate(leaf.certPem);
    const fingerprint = run('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], leaf.certPem).stdout;
    expect(fingerprint.trim()).toBe(`sha256 Fingerprint=${info.fingerprintSha256}`);
    const serial = run('openssl', ['x509', '-noout', '-serial'], leaf.certPem).stdout;
    expect(serial.trim().toLowerCase()).toBe(`serial=${info.serialNumber}`);
    expect(info).toMatchObject({
      subject: 'CN=r.home.lan',
      issuer: 'CN=homefaas test CA',
      commonName: 'r.home.lan',
      dnsNames: ['r.home.lan'],
      ips: ['127.0.0.1'],
      isCa: false,
      authorityKeyId: describeCertificate(ca.certPem).subjectKeyId,
      permittedDomains: [],
      permittedIps: [],
    });
    expect(describeCertificate(ca.certPem)).toMatchObject({
      isCa: true,
      permittedDomains: ['home.lan', 'home.arpa'],
      permittedIps: ['127.0.0.1/32', '192.168.0.0/16', 'fd00::/8'],
    });
  });

  it('reads certificates that OpenSSL made, of any key type', () => {
    const dir = scratch();
    const key = `${dir.dir}/ec.key`;
    const made = run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-subj',
      '/CN=ec.home.lan',
      '-addext',
      'subjectAltName=DNS:ec.home.lan,IP:10.1.2.3',
      '-days',
      '5',
    ]);
    dir.remove();
    expect(made.status).toBe(0);
    const info = describeCertificate(made.stdout);
    expect(info.dnsNames).toEqual(['ec.home.lan']);
    expect(info.ips).toEqual(['10.1.2.3']);
    expect(info.commonName).toBe('ec.home.lan');
  });

  it('refuses text that is not a certificate', () => {
    expect(() => describeCertificate('hello')).toThrow(expect.objectContaining({ code: 'ERR_CERT_PARSE' }));
  });
});

describe('verifyServerCertificate', () => {
  let leafPem: string;
  beforeAll(async () => {
    leafPem = (
      await issueServerCertificate(ca, {
        dnsNames: ['r.home.lan', '*.fn.home.lan'],
        ips: ['127.0.0.1'],
        days: 60,
      })
    ).certPem;
  });

  it.each([
    [{ host: 'r.home.lan' }, true],
    [{ host: 'R.Home.Lan' }, true],
    [{ host: 'echo.fn.home.lan' }, true],
    [{ host: 'a.echo.fn.home.lan' }, false],
    [{ host: 'other.home.lan' }, false],
    [{ ip: '127.0.0.1' }, true],
    [{ ip: '127.0.0.2' }, false],
    [{ host: 'r.home.lan', ip: '127.0.0.1' }, true],
  ])('target %j → ok %s', (target, ok) => {
    const result = verifyServerCertificate(leafPem, ca.certPem, target);
    expect(result.ok).toBe(ok);
    expect(result.problems.length === 0).toBe(ok);
  });

  it('reports expiry, not-yet-valid and a foreign CA', () => {
    const later = new Date(Date.now() + 61 * 86_400_000);
    expect(verifyServerCertificate(leafPem, ca.certPem, {}, later).problems.join()).toContain('expired');
    const earlier = new Date(Date.now() - 2 * 86_400_000);
    expect(verifyServerCertificate(leafPem, ca.certPem, {}, earlier).problems.join()).toContain(
      'not valid before',
    );
    expect(verifyServerCertificate(leafPem, openCa.certPem, {}).problems.join()).toContain(
      'not issued by this CA',
    );
  });

  it('reports a CA where a server certificate is expected', () => {
    expect(verifyServerCertificate(ca.certPem, ca.certPem, {}).problems).toContain(
      'the certificate is a CA, not a server certificate',
    );
  });

  it('uses the clock it is given', () => {
    expect(NOW.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
