import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setUser } from '@homefaas/htpasswd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port';
import { createTestCa, type TestCa } from '../../../test/support/openssl-pki';
import { REGISTRY_REALM, registryContainerArgs } from '../../../test/support/registry-container';
import { createRegistryClient, MANIFEST_MEDIA_TYPES, platformsOf, type RegistryClient } from './index';

// Against the real Distribution registry (the local `registry:2` image), with TLS from an openssl-made CA
// and an htpasswd file written by @homefaas/htpasswd.
const IMAGE = 'registry:2';
const NAME = `homefaas-itg-registry-client-${process.pid}-${randomBytes(3).toString('hex')}`;
const USER = 'homefaas';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const REPOSITORY = 'homefaas/itg-client';

let dir: string;
let ca: TestCa;
let baseUrl: string;
let client: RegistryClient;

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitFor<T>(
  what: string,
  limitMs: number,
  everyMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

beforeAll(async () => {
  // The test environment builds the image; wait for it (bounded) rather than fail while it is being made.
  await waitFor('docker image inspect registry:2', 20 * 60_000, 30_000, async () =>
    spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status === 0 ? true : undefined,
  );
  dir = mkdtempSync(join(tmpdir(), 'homefaas-itg-registry-'));
  ca = createTestCa(dir, 'homefaas-itg-ca');
  const leaf = ca.issue('registry', ['DNS:localhost', 'IP:127.0.0.1']);
  mkdirSync(join(dir, 'certs'));
  mkdirSync(join(dir, 'auth'));
  writeFileSync(join(dir, 'certs', 'server.crt'), leaf.cert);
  writeFileSync(join(dir, 'certs', 'server.key'), leaf.key);
  // Two users, one of them updated: Distribution must read every line our library writes.
  let htpasswd = setUser('', 'someone-else', 'first');
  htpasswd = setUser(htpasswd, USER, PASSWORD);
  htpasswd = setUser(htpasswd, 'someone-else', 'second', { cost: 5 });
  writeFileSync(join(dir, 'auth', 'htpasswd'), htpasswd);
  chmodSync(dir, 0o755);

  const port = await freePort();
  baseUrl = `https://127.0.0.1:${port}`;
  docker(
    registryContainerArgs({
      name: NAME,
      port,
      certsDir: join(dir, 'certs'),
      authDir: join(dir, 'auth'),
      image: IMAGE,
    }),
  );
  client = createRegistryClient({ baseUrl, ca: ca.cert, auth: { username: USER, password: PASSWORD } });
  await waitFor(
    'the registry answering',
    30_000,
    250,
    async () => (await client.ping()).status === 200 || undefined,
  );
}, 25 * 60_000);

afterAll(async () => {
  await client?.close();
  spawnSync('docker', ['rm', '-f', NAME], { stdio: 'ignore' });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('registry client against the real registry:2', () => {
  it('sees the Basic challenge anonymously and is accepted with the htpasswd credentials', async () => {
    const anonymous = createRegistryClient({ baseUrl, ca: ca.cert });
    try {
      expect(await anonymous.ping()).toEqual({
        status: 401,
        authRequired: true,
        authenticated: false,
        challenge: `Basic realm="${REGISTRY_REALM}"`,
      });
    } finally {
      await anonymous.close();
    }
    expect(await client.ping()).toMatchObject({ status: 200, authRequired: true, authenticated: true });
    const other = createRegistryClient({
      baseUrl,
      ca: ca.cert,
      auth: { username: 'someone-else', password: 'second' },
    });
    try {
      expect((await other.ping()).authenticated).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('uploads a config blob, puts an OCI manifest and an index, and reads them back', async () => {
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    });
    const configDigest = await client.uploadBlob(REPOSITORY, config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: Buffer.byteLength(config),
      },
      layers: [],
    });
    const { digest } = await client.putManifest(REPOSITORY, 'v1', manifest, MANIFEST_MEDIA_TYPES.ociManifest);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPES.ociIndex,
      manifests: [
        {
          mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
          digest,
          size: Buffer.byteLength(manifest),
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    const indexDigest = (await client.putManifest(REPOSITORY, 'multi', index, MANIFEST_MEDIA_TYPES.ociIndex))
      .digest;

    expect((await client.tags(REPOSITORY)).sort()).toEqual(['multi', 'v1']);
    expect(await client.catalog()).toContain(REPOSITORY);
    expect(await client.headManifest(REPOSITORY, 'v1')).toEqual({
      digest,
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      size: Buffer.byteLength(manifest),
    });
    const fetched = await client.getManifest(REPOSITORY, digest);
    expect(fetched).toEqual({
      digest,
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      manifest: JSON.parse(manifest),
      // The bytes the registry holds: the same digest under any tag they are stored with.
      raw: manifest,
    });
    const fetchedIndex = await client.getManifest(REPOSITORY, 'multi');
    expect(fetchedIndex.digest).toBe(indexDigest);
    expect(fetchedIndex.mediaType).toBe(MANIFEST_MEDIA_TYPES.ociIndex);
    expect(platformsOf(fetchedIndex)).toEqual(['linux/amd64']);
    // Uploading the same blob again finds it in place.
    expect(await client.uploadBlob(REPOSITORY, config)).toBe(configDigest);
  });

  it('mounts a blob of one repository into another without uploading it, and says so when it cannot', async () => {
    const layer = `layer shared by two repositories ${process.pid}`;
    const digest = await client.uploadBlob(REPOSITORY, layer);
    const other = `${REPOSITORY}-mounted`;
    // curl, not our client, tells whether the other repository has the blob.
    const status = () =>
      execFileSync('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-I',
        '--cacert',
        join(dir, 'ca.pem'),
        '-u',
        `${USER}:${PASSWORD}`,
        `${baseUrl}/v2/${other}/blobs/${digest}`,
      ]).toString();
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    expect(status()).toBe('404');
    expect(await client.mountBlob(other, digest, REPOSITORY)).toBe(true);
    expect(status()).toBe('200');
    // A blob the source does not have: the registry starts an upload instead, which is cancelled.
    expect(await client.mountBlob(other, `sha256:${'0'.repeat(64)}`, REPOSITORY)).toBe(false);
  });

  it('tells missing things apart from failures', async () => {
    expect(await client.headManifest(REPOSITORY, 'no-such-tag')).toBeUndefined();
    await expect(client.getManifest(REPOSITORY, 'no-such-tag')).rejects.toMatchObject({
      code: 'ERR_REGISTRY_NOT_FOUND',
    });
    expect(await client.tags('homefaas/never-pushed')).toEqual([]);
  });

  it('gives ERR_REGISTRY_AUTH for a wrong password, without the password', async () => {
    const wrong = createRegistryClient({
      baseUrl,
      ca: ca.cert,
      auth: { username: USER, password: `${PASSWORD}x` },
    });
    try {
      const error = await wrong.catalog().then(
        () => undefined,
        (caught: unknown) => caught as Error & { code?: string },
      );
      expect(error?.code).toBe('ERR_REGISTRY_AUTH');
      expect(error?.message).toContain(`${baseUrl}/v2/_catalog`);
      expect(error?.message).not.toContain(PASSWORD);
    } finally {
      await wrong.close();
    }
  });

  it('gives ERR_REGISTRY_UNTRUSTED when given another CA', async () => {
    const other = createTestCa(dir, 'not-the-registry-ca');
    const untrusting = createRegistryClient({
      baseUrl,
      ca: other.cert,
      auth: { username: USER, password: PASSWORD },
    });
    try {
      await expect(untrusting.ping()).rejects.toMatchObject({ code: 'ERR_REGISTRY_UNTRUSTED' });
    } finally {
      await untrusting.close();
    }
  });
});
