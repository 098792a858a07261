import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { isHomefaasError } from '@homefaas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type KeyPair } from '../../../../test/support/openssl-pki';
import { readServedCertificate, servedCertificateProblem } from './served-certificate';

// A TLS server serving certificates the openssl CLI made; openssl reads the serials and dates we expect.
const dir = mkdtempSync(join(tmpdir(), 'homefaas-served-'));
let served: KeyPair;
let renewed: KeyPair;
let server: Server;
let port: number;

beforeAll(async () => {
  const ca = createTestCa(dir, 'served-ca');
  served = ca.issue('old', ['DNS:localhost']);
  renewed = ca.issue('new', ['DNS:localhost'], { start: '20260101000000Z', end: '20270410000000Z' });
  server = createServer({ cert: served.cert, key: served.key }, (socket) => socket.end());
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  rmSync(dir, { recursive: true, force: true });
});

function openssl(pem: string, field: '-serial' | '-enddate'): string {
  const out = execFileSync('openssl', ['x509', '-noout', field], { input: pem, encoding: 'utf8' });
  return out.trim().replace(/^[^=]+=/, '');
}

describe('readServedCertificate and servedCertificateProblem', () => {
  it('reads the certificate the server presents, byte for byte', async () => {
    const der = await readServedCertificate({ host: 'localhost', port, timeoutMs: 5000 });
    const fromOpenssl = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: served.cert });
    expect(der.equals(fromOpenssl)).toBe(true);
    expect(servedCertificateProblem(der, served.cert, 'certs/localhost.crt')).toBeUndefined();
  });

  it('says which certificate is served and which one the file holds when they differ', async () => {
    const der = await readServedCertificate({ host: 'localhost', port, timeoutMs: 5000 });
    const until = (pem: string) => new Date(openssl(pem, '-enddate')).toISOString().slice(0, 10);
    expect(servedCertificateProblem(der, renewed.cert, 'certs/localhost.crt')).toBe(
      `it serves serial ${openssl(served.cert, '-serial').toLowerCase()}, valid until ${until(served.cert)}, ` +
        `not certs/localhost.crt (serial ${openssl(renewed.cert, '-serial').toLowerCase()}, valid until 2027-04-10)`,
    );
  });

  it('fails with ERR_REGISTRY_TLS_HANDSHAKE when nothing speaks TLS there', async () => {
    const plain = createNetServer((socket) => socket.destroy());
    await new Promise<void>((listening) => plain.listen(0, '127.0.0.1', listening));
    const plainPort = (plain.address() as { port: number }).port;
    try {
      const error = await readServedCertificate({
        host: '127.0.0.1',
        port: plainPort,
        timeoutMs: 5000,
      }).catch((e: unknown) => e);
      expect(isHomefaasError(error, 'ERR_REGISTRY_TLS_HANDSHAKE')).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`^No TLS handshake with 127\\.0\\.0\\.1:${plainPort}: `),
      );
    } finally {
      await new Promise((closed) => plain.close(closed));
    }
  });
});
