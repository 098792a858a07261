import { execFile } from 'node:child_process';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCa } from './ca';
import { issueServerCertificate } from './leaf';
import { scratch } from './test-support/test-tools';
import { signLeafUnchecked } from './test-support/unchecked-leaf';
import type { CaMaterial } from './types';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('./keygen'), async (original) =>
  (await import('./test-support/shared-keys')).withSharedKeys(await original()),
);

// A real TLS handshake against certificates we issue: Node's https client and curl (OpenSSL) each trust only
// our CA. The server listens on 127.0.0.1; host names are mapped to it, never resolved.
const HOST = 'docker-registry.home.lan';
const files = scratch();
let ca: CaMaterial;
let otherCa: CaMaterial;
let server: Server;
let port: number;
let caFile: string;

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([
    createCa({
      commonName: 'tls CA',
      permittedDomains: ['home.lan'],
      permittedIps: ['127.0.0.1/32'],
      days: 30,
      keyBits: 3072,
    }),
    createCa({ commonName: 'other CA', permittedDomains: [], permittedIps: [], days: 30, keyBits: 3072 }),
  ]);
  const leaf = await issueServerCertificate(ca, { dnsNames: [HOST], ips: ['127.0.0.1'], days: 30 });
  caFile = files.file('ca.pem', ca.certPem);
  server = createServer({ cert: leaf.fullchainPem, key: leaf.keyPem }, (_req, res) =>
    res.end('hello over tls'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  files.remove();
});

function nodeGet(servername: string | undefined, trusted: string, toPort = port): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: toPort,
        path: '/',
        servername,
        ca: [trusted],
        agent: false,
        headers: { host: servername ?? '127.0.0.1' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function curl(url: string, resolveHost?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['--silent', '--show-error', '--max-time', '10', '--noproxy', '*', '--cacert', caFile];
  if (resolveHost) args.push('--resolve', `${resolveHost}:${port}:127.0.0.1`);
  return new Promise((resolve) => {
    execFile('curl', [...args, url], (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
}

describe('TLS handshake with an issued certificate', () => {
  it('Node https trusting only our CA succeeds for the right host name', async () => {
    await expect(nodeGet(HOST, ca.certPem)).resolves.toBe('hello over tls');
  });

  it('Node https succeeds for the IP in the certificate', async () => {
    await expect(nodeGet(undefined, ca.certPem)).resolves.toBe('hello over tls');
  });

  it('Node https fails for a host name the certificate does not name', async () => {
    await expect(nodeGet('wrong.home.lan', ca.certPem)).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('Node https fails when it trusts another CA', async () => {
    // The server sends the full chain, so the client meets our root and refuses it as untrusted.
    await expect(nodeGet(HOST, otherCa.certPem)).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });

  it('Node https refuses a certificate outside the CA name constraints, made by bypassing our guard', async () => {
    const forged = await signLeafUnchecked(ca, { dnsNames: ['bank.example.com'], ips: [], days: 30 });
    const evil = createServer({ cert: forged.certPem, key: forged.keyPem }, (_req, res) => res.end('forged'));
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const evilPort = (evil.address() as AddressInfo).port;
      await expect(nodeGet('bank.example.com', ca.certPem, evilPort)).rejects.toThrow(
        /permitted subtree violation/,
      );
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
  });

  it('curl --cacert succeeds for the right host name and the IP', async () => {
    const byName = await curl(`https://${HOST}:${port}/`, HOST);
    expect(byName).toMatchObject({ code: 0, stdout: 'hello over tls' });
    const byIp = await curl(`https://127.0.0.1:${port}/`);
    expect(byIp).toMatchObject({ code: 0, stdout: 'hello over tls' });
  });

  it('curl --cacert fails for a wrong host name', async () => {
    const result = await curl(`https://wrong.home.lan:${port}/`, 'wrong.home.lan');
    expect(result.code).toBe(60);
    expect(result.stderr).toMatch(/no alternative certificate subject name matches|does not match/);
  });
});
