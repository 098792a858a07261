import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port';
import { createSelfSigned, createTestCa, type KeyPair, type TestCa } from '../../../test/support/openssl-pki';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from './index';
import { type FakeRegistry, startFakeRegistry } from './test-support/fake-registry';

const USER = 'homefaas';
const PASSWORD = 'pa55-word:with colon';
const WRONG = 'not-the-Password-42';

let dir: string;
let ca: TestCa;
const leaves: Record<string, KeyPair> = {};
let registry: FakeRegistry | undefined;
let server: Server | undefined;
let clients: RegistryClient[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-registry-errors-'));
  ca = createTestCa(dir, 'homefaas-test-ca');
  const other = createTestCa(dir, 'some-other-ca');
  const local = ['DNS:localhost', 'IP:127.0.0.1'];
  leaves.good = ca.issue('good', local);
  leaves.expired = ca.issue('expired', local, { start: '20200101000000Z', end: '20200201000000Z' });
  leaves.notYet = ca.issue('not-yet', local, { start: '20990101000000Z', end: '20990201000000Z' });
  leaves.otherCa = other.issue('other-ca', local);
  leaves.otherHost = ca.issue('other-host', ['DNS:registry.home.lan']);
  leaves.selfSigned = createSelfSigned(dir, 'self-signed', local);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  clients = [];
  await registry?.close();
  registry = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  }
});

function client(options: Partial<RegistryClientOptions> & { baseUrl: string }): RegistryClient {
  const created = createRegistryClient({ ca: ca.cert, ...options });
  clients.push(created);
  return created;
}

async function serving(leaf: KeyPair | undefined): Promise<string> {
  registry = await startFakeRegistry(leaf ?? (leaves.good as KeyPair));
  Object.assign(registry.behaviour, { auth: 'basic', users: { [USER]: PASSWORD } });
  return registry.url;
}

async function thrown(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; hint?: string; cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (
    let current = error as { code?: unknown; cause?: unknown } | undefined;
    current;
    current = current.cause as typeof current
  ) {
    if (typeof current.code === 'string') codes.push(current.code);
  }
  return codes;
}

describe('transport errors', () => {
  it('ERR_REGISTRY_DNS for a name that does not resolve, with the /etc/hosts line', async () => {
    const error = await thrown(client({ baseUrl: 'https://registry.homefaas.invalid:5000' }).ping());
    expect(error.code).toBe('ERR_REGISTRY_DNS');
    expect(error.message).toContain('GET https://registry.homefaas.invalid:5000/v2/');
    expect(error.message).toContain('does not resolve');
    expect(error.hint).toContain('127.0.0.1 registry.homefaas.invalid');
    expect(error.hint).toContain('router');
  });

  it('ERR_REGISTRY_REFUSED when nothing listens, with how to start the registry', async () => {
    const port = await freePort();
    const error = await thrown(client({ baseUrl: `https://127.0.0.1:${port}` }).catalog());
    expect(error.code).toBe('ERR_REGISTRY_REFUSED');
    expect(error.message).toContain(`GET https://127.0.0.1:${port}/v2/_catalog`);
    expect(error.message).toContain('refused');
    expect(error.hint).toContain('npx nx run infra:registry-up');
    expect(causeCodes(error)).toContain('ECONNREFUSED');
  });

  it.each([
    ['a leaf from another CA', 'otherCa', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['a self-signed certificate', 'selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ])('ERR_REGISTRY_UNTRUSTED for %s', async (_name, leaf, nodeCode) => {
    const url = await serving(leaves[leaf]);
    const error = await thrown(client({ baseUrl: url }).ping());
    expect(error.code).toBe('ERR_REGISTRY_UNTRUSTED');
    expect(error.message).toContain(`GET ${url}/v2/`);
    expect(error.message).toContain('not signed by a trusted CA');
    expect(error.hint).toContain('our CA');
    expect(causeCodes(error)).toContain(nodeCode);
    expect(registry?.requests).toEqual([]);
  });

  it('ERR_REGISTRY_UNTRUSTED for our own leaf when our CA is not given: the CA is what adds the trust', async () => {
    const url = await serving(leaves.good);
    const error = await thrown(client({ baseUrl: url, ca: undefined }).ping());
    expect(error.code).toBe('ERR_REGISTRY_UNTRUSTED');
    expect(error.hint).toContain('ca option');
    expect((await client({ baseUrl: url }).ping()).status).toBe(401);
  });

  it('keeps verifying even when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
    const url = await serving(leaves.otherCa);
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      expect((await thrown(client({ baseUrl: url }).ping())).code).toBe('ERR_REGISTRY_UNTRUSTED');
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
  });

  it('ERR_REGISTRY_HOSTNAME for a certificate issued to another name', async () => {
    const url = await serving(leaves.otherHost);
    const error = await thrown(client({ baseUrl: url }).ping());
    expect(error.code).toBe('ERR_REGISTRY_HOSTNAME');
    expect(error.message).toContain(`GET ${url}/v2/`);
    expect(error.message).toContain('not valid for 127.0.0.1');
    expect(error.hint).toContain('subject alternative names');
    expect(causeCodes(error)).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it.each([
    ['expired', 'expired', 'CERT_HAS_EXPIRED', 'has expired'],
    ['not valid yet', 'notYet', 'CERT_NOT_YET_VALID', 'is not valid yet'],
  ])('ERR_REGISTRY_EXPIRED for a certificate that is %s', async (_name, leaf, nodeCode, observed) => {
    const url = await serving(leaves[leaf]);
    const error = await thrown(client({ baseUrl: url }).ping());
    expect(error.code).toBe('ERR_REGISTRY_EXPIRED');
    expect(error.message).toContain(`GET ${url}/v2/`);
    expect(error.message).toContain(observed);
    expect(causeCodes(error)).toContain(nodeCode);
  });

  it('ERR_REGISTRY_TIMEOUT when the registry accepts but never answers', async () => {
    const leaf = leaves.good as KeyPair;
    server = createHttpsServer({ cert: leaf.cert, key: leaf.key }, () => {});
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await thrown(client({ baseUrl: `https://127.0.0.1:${port}`, timeoutMs: 300 }).ping());
    expect(error.code).toBe('ERR_REGISTRY_TIMEOUT');
    expect(error.message).toContain('300 ms');
  });
});

describe('HTTP errors', () => {
  it('ERR_REGISTRY_AUTH for a wrong password, naming the URL and user but never the password', async () => {
    const url = await serving(leaves.good);
    const wrong = client({ baseUrl: url, auth: { username: USER, password: WRONG } });
    const attempts = [
      () => wrong.ping(),
      () => wrong.catalog(),
      () => wrong.tags('app'),
      () => wrong.getManifest('app', 'v1'),
    ];
    for (const attempt of attempts) {
      const error = await thrown(attempt());
      expect(error.code).toBe('ERR_REGISTRY_AUTH');
      expect(error.message).toMatch(new RegExp(`^Registry answered 401 to GET ${url}/v2/`));
      expect(error.message).toContain(`"${USER}"`);
      expect(error.hint).toContain('password');
      const seen = `${error.message} ${error.hint} ${error.stack}`;
      expect(seen).not.toContain(WRONG);
      expect(seen).not.toContain(Buffer.from(`${USER}:${WRONG}`).toString('base64'));
    }
  });

  it('ERR_REGISTRY_AUTH when the registry wants credentials and none were given', async () => {
    const url = await serving(leaves.good);
    const error = await thrown(client({ baseUrl: url }).catalog());
    expect(error.code).toBe('ERR_REGISTRY_AUTH');
    expect(error.message).toContain('with no credentials');
  });

  it('ERR_REGISTRY_NOT_FOUND for a missing manifest, with the registry error code', async () => {
    const url = await serving(leaves.good);
    const error = await thrown(
      client({ baseUrl: url, auth: { username: USER, password: PASSWORD } }).getManifest('app', 'v9'),
    );
    expect(error.code).toBe('ERR_REGISTRY_NOT_FOUND');
    expect(error.message).toBe(
      `Registry answered 404 (MANIFEST_UNKNOWN: manifest unknown) to GET ${url}/v2/app/manifests/v9 while fetching app:v9.`,
    );
  });

  it('ERR_REGISTRY_HTTP for any other failure, with the status and the registry error', async () => {
    const leaf = leaves.good as KeyPair;
    server = createHttpsServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'storage is read-only' }] }));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await thrown(client({ baseUrl: `https://127.0.0.1:${port}` }).tags('app'));
    expect(error.code).toBe('ERR_REGISTRY_HTTP');
    expect(error.message).toContain(
      `503 (UNAVAILABLE: storage is read-only) to GET https://127.0.0.1:${port}/v2/app/tags/list`,
    );
    expect(error.hint).toContain('docker logs');
  });
});
