import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type KeyPair, type TestCa } from '../../../test/support/openssl-pki';
import {
  createRegistryClient,
  MANIFEST_MEDIA_TYPES,
  type RegistryClient,
  type RegistryClientOptions,
} from './index';
import { type FakeRegistry, startFakeRegistry } from './test-support/fake-registry';

const USER = 'homefaas';
const PASSWORD = 'correct horse: battery';
const ALL_ACCEPT = Object.values(MANIFEST_MEDIA_TYPES);
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const IMAGE_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('{}'), size: 2 },
  layers: [],
});

let dir: string;
let ca: TestCa;
let leaf: KeyPair;
let registry: FakeRegistry;
let clients: RegistryClient[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-registry-client-'));
  ca = createTestCa(dir, 'homefaas-test-ca');
  leaf = ca.issue('registry', ['DNS:localhost', 'IP:127.0.0.1']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  clients = [];
  await registry?.close();
});

async function setup(
  behaviour: Partial<FakeRegistry['behaviour']> = {},
  options: Partial<RegistryClientOptions> = {},
): Promise<RegistryClient> {
  registry = await startFakeRegistry(leaf);
  Object.assign(registry.behaviour, { users: { [USER]: PASSWORD } }, behaviour);
  const client = createRegistryClient({ baseUrl: registry.url, ca: ca.cert, ...options });
  clients.push(client);
  return client;
}

const withAuth = { auth: { username: USER, password: PASSWORD } };
const paths = () => registry.requests.map((request) => `${request.method} ${request.path}`);

async function thrown(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('ping', () => {
  it('reports a registry without auth', async () => {
    const client = await setup({ auth: 'none' });
    expect(await client.ping()).toEqual({ status: 200, authRequired: false, authenticated: false });
    expect(paths()).toEqual(['GET /v2/']);
  });

  it('reports auth required, with the challenge, when no credentials are given', async () => {
    const client = await setup({ auth: 'basic' });
    expect(await client.ping()).toEqual({
      status: 401,
      authRequired: true,
      authenticated: false,
      challenge: 'Basic realm="Registry Realm"',
    });
  });

  it('answers a Basic challenge with the credentials, then sends them straight away', async () => {
    const client = await setup({ auth: 'basic' }, withAuth);
    expect(await client.ping()).toEqual({
      status: 200,
      authRequired: true,
      authenticated: true,
      challenge: 'Basic realm="Registry Realm"',
    });
    const [anonymous, authenticated] = registry.requests;
    expect(anonymous?.headers.authorization).toBeUndefined();
    expect(authenticated?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
    );
    await client.tags('app');
    expect(paths().slice(2)).toEqual(['GET /v2/app/tags/list']);
  });

  it('follows the bearer flow: realm with service and scope, Basic to the token service, then the token', async () => {
    const client = await setup({ auth: 'bearer' }, withAuth);
    const result = await client.ping();
    expect(result).toMatchObject({ status: 200, authRequired: true, authenticated: true });
    expect(result.challenge).toMatch(
      /^Bearer realm="https:\/\/127\.0\.0\.1:\d+\/token",service="fake-registry"$/,
    );
    expect(paths()).toEqual(['GET /v2/', 'GET /token?service=fake-registry', 'GET /v2/']);
    expect(registry.requests[1]?.headers.authorization).toMatch(/^Basic /);
    expect(registry.requests[2]?.headers.authorization).toMatch(/^Bearer /);
  });
});

describe('bearer tokens', () => {
  it('fetches one token per scope and reuses it', async () => {
    const client = await setup({ auth: 'bearer' }, withAuth);
    registry.seedManifest('team/app', 'v1', IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    expect(await client.tags('team/app')).toEqual(['v1']);
    expect(await client.tags('team/app')).toEqual(['v1']);
    expect(paths()).toEqual([
      'GET /v2/team/app/tags/list',
      `GET /token?service=fake-registry&scope=${encodeURIComponent('repository:team/app:pull')}`,
      'GET /v2/team/app/tags/list',
      'GET /v2/team/app/tags/list',
    ]);
    expect(await client.catalog()).toEqual(['team/app']);
    expect(paths()[5]).toBe(
      `GET /token?service=fake-registry&scope=${encodeURIComponent('registry:catalog:*')}`,
    );
  });

  it('gives ERR_REGISTRY_AUTH when the token service refuses the password, without the password', async () => {
    const client = await setup({ auth: 'bearer' }, { auth: { username: USER, password: 'wrong-password' } });
    const error = await thrown(client.tags('app'));
    expect(error.code).toBe('ERR_REGISTRY_AUTH');
    expect(error.message).toContain(`https://127.0.0.1:${registry.port}/token`);
    expect(error.message).toContain(USER);
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-password');
  });
});

describe('catalog and tags', () => {
  it('follows Link pagination', async () => {
    const client = await setup({ pageSize: 2 });
    for (const name of ['e', 'a', 'c', 'b', 'd'])
      registry.seedManifest(name, 'latest', IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    for (const tag of ['3', '1', '2'])
      registry.seedManifest('a', tag, IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    expect(await client.catalog()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(paths()).toEqual([
      'GET /v2/_catalog',
      'GET /v2/_catalog?last=b&n=2',
      'GET /v2/_catalog?last=d&n=2',
    ]);
    expect(await client.tags('a')).toEqual(['1', '2', '3', 'latest']);
  });

  it('gives [] for a repository the registry does not know (404 NAME_UNKNOWN)', async () => {
    const client = await setup();
    expect(await client.tags('missing/app')).toEqual([]);
    expect(registry.requests.at(-1)?.path).toBe('/v2/missing/app/tags/list');
  });
});

describe('manifests', () => {
  it('asks for Docker v2, manifest list, OCI manifest and OCI index on HEAD and GET', async () => {
    const client = await setup();
    const digest = registry.seedManifest('app', 'v1', IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    expect(await client.headManifest('app', 'v1')).toEqual({
      digest,
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      size: Buffer.byteLength(IMAGE_MANIFEST),
    });
    const got = await client.getManifest('app', 'v1');
    expect(got).toEqual({
      digest,
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      manifest: JSON.parse(IMAGE_MANIFEST),
      // The bytes as sent: stored under another tag they keep this digest.
      raw: IMAGE_MANIFEST,
    });
    for (const request of registry.requests) {
      const accepted = String(request.headers.accept)
        .split(',')
        .map((type) => type.trim());
      expect(accepted.sort()).toEqual([...ALL_ACCEPT].sort());
    }
    expect(registry.requests.map((request) => request.method)).toEqual(['HEAD', 'GET']);
  });

  it('gives undefined from headManifest and ERR_REGISTRY_NOT_FOUND from getManifest for a missing one', async () => {
    const client = await setup();
    expect(await client.headManifest('app', 'nope')).toBeUndefined();
    const error = await thrown(client.getManifest('app', 'nope'));
    expect(error.code).toBe('ERR_REGISTRY_NOT_FOUND');
    expect(error.message).toContain(`GET https://127.0.0.1:${registry.port}/v2/app/manifests/nope`);
    expect(error.message).toContain('MANIFEST_UNKNOWN');
  });

  it('computes the digest from the bytes when the registry sends no Docker-Content-Digest', async () => {
    const client = await setup({ omitDigest: true });
    registry.seedManifest('app', 'v1', IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    expect((await client.getManifest('app', 'v1')).digest).toBe(sha256(IMAGE_MANIFEST));
    expect((await client.headManifest('app', 'v1'))?.digest).toBe(sha256(IMAGE_MANIFEST));
    expect(paths().slice(1)).toEqual(['HEAD /v2/app/manifests/v1', 'GET /v2/app/manifests/v1']);
  });

  it('checks the bytes against the digest it asked for', async () => {
    const client = await setup({ omitDigest: true });
    const digest = registry.seedManifest('app', 'v1', IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    expect((await client.getManifest('app', digest)).digest).toBe(digest);
    const other = sha256('other');
    registry.seedManifest('app', other, IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    const error = await thrown(client.getManifest('app', other));
    expect(error.code).toBe('ERR_REGISTRY_DIGEST');
    expect(error.message).toContain(other);
  });

  it('refuses a manifest whose Docker-Content-Digest does not match its bytes', async () => {
    const client = await setup({ wrongDigest: sha256('tampered') });
    registry.seedManifest('app', 'v1', IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest);
    const error = await thrown(client.getManifest('app', 'v1'));
    expect(error.code).toBe('ERR_REGISTRY_DIGEST');
    expect(error.message).toContain(sha256(IMAGE_MANIFEST));
  });

  it('puts a manifest with its media type and returns its digest', async () => {
    const client = await setup();
    const config = await client.uploadBlob('app', '{}');
    expect(config).toBe(sha256('{}'));
    const { digest } = await client.putManifest(
      'app',
      'v2',
      IMAGE_MANIFEST,
      MANIFEST_MEDIA_TYPES.ociManifest,
    );
    expect(digest).toBe(sha256(IMAGE_MANIFEST));
    const put = registry.requests.find(
      (request) => request.method === 'PUT' && request.path.includes('/manifests/'),
    );
    expect(put?.headers['content-type']).toBe(MANIFEST_MEDIA_TYPES.ociManifest);
    expect(await client.tags('app')).toEqual(['v2']);
    expect((await client.getManifest('app', digest)).manifest).toEqual(JSON.parse(IMAGE_MANIFEST));
  });

  it('refuses a put whose returned digest does not match what was sent', async () => {
    const client = await setup({ wrongDigest: sha256('tampered') });
    const error = await thrown(
      client.putManifest('app', 'v1', IMAGE_MANIFEST, MANIFEST_MEDIA_TYPES.ociManifest),
    );
    expect(error.code).toBe('ERR_REGISTRY_DIGEST');
  });

  it('refuses invalid repository names and references before sending anything', async () => {
    const client = await setup();
    for (const [repository, reference] of [
      ['App', 'v1'],
      ['app/../x', 'v1'],
      ['app', 'v1/../../x'],
      ['app', 'sha256:XYZ'],
    ] as const) {
      const error = await thrown(client.getManifest(repository, reference));
      expect(error.code).toBe('ERR_REGISTRY_NAME');
    }
    expect(registry.requests).toEqual([]);
  });
});

describe('uploadBlob', () => {
  it('uploads monolithically (POST, then PUT to the Location with the digest) and skips an existing blob', async () => {
    const client = await setup({ auth: 'bearer' }, withAuth);
    const data = new TextEncoder().encode('layer bytes');
    const digest = await client.uploadBlob('team/app', data);
    expect(digest).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
    expect(registry.blobs.get(digest)?.toString()).toBe('layer bytes');
    const uploadPaths = paths().filter((path) => !path.startsWith('GET /token'));
    expect(uploadPaths[0]).toBe(`HEAD /v2/team/app/blobs/${digest}`);
    expect(uploadPaths).toContain('POST /v2/team/app/blobs/uploads/');
    expect(uploadPaths.at(-1)).toMatch(
      new RegExp(
        `^PUT /v2/team/app/blobs/uploads/[0-9a-f-]+\\?_state=opaque&digest=${encodeURIComponent(digest)}$`,
      ),
    );
    const before = registry.requests.length;
    expect(await client.uploadBlob('team/app', data)).toBe(digest);
    expect(paths().slice(before)).toEqual([`HEAD /v2/team/app/blobs/${digest}`]);
  });
});

describe('options', () => {
  it('refuses plain HTTP and URLs with credentials', () => {
    for (const baseUrl of ['http://127.0.0.1:5000', 'https://user:pw@127.0.0.1:5000', 'not a url']) {
      let code: string | undefined;
      try {
        createRegistryClient({ baseUrl });
      } catch (error) {
        code = isHomefaasError(error) ? error.code : undefined;
      }
      expect(code).toBe('ERR_REGISTRY_URL');
    }
  });

  it('refuses a CA that is not a PEM certificate', () => {
    expect(() =>
      createRegistryClient({ baseUrl: 'https://127.0.0.1:5000', ca: 'infra/ca/homeCA.pem' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_REGISTRY_CA' }));
  });

  it('uses an injected fetch, handing it the dispatcher that trusts our CA', async () => {
    const seen: string[] = [];
    const recordingFetch = ((url: string, init: Parameters<typeof undiciFetch>[1]) => {
      seen.push(`${init?.method} ${url} ${init?.dispatcher ? 'with' : 'without'} dispatcher`);
      return undiciFetch(url, init);
    }) as unknown as typeof fetch;
    await setup();
    const injected = createRegistryClient({
      baseUrl: `${registry.url}/`,
      ca: ca.cert,
      fetch: recordingFetch,
    });
    clients.push(injected);
    expect((await injected.ping()).status).toBe(200);
    expect(seen).toEqual([`GET ${registry.url}/v2/ with dispatcher`]);
  });

  it('reaches the registry by the name localhost too', async () => {
    await setup();
    const byName = createRegistryClient({ baseUrl: `https://localhost:${registry.port}`, ca: ca.cert });
    clients.push(byName);
    expect((await byName.ping()).status).toBe(200);
  });
});
