import { createServer as createHttpsServer, type Server } from 'node:https';
import { type CaMaterial, createCa, issueServerCertificate, type LeafMaterial } from '@homefaas/certificates';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { createRegistryClient } from '@homefaas/registry-client';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../../test/support/free-port';
import { assertAuthenticated, waitForRegistry } from './registry-readiness';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const AUTH = `Basic ${Buffer.from('homefaas:right-pw').toString('base64')}`;
let ca: CaMaterial;
let leaf: LeafMaterial;
let foreignLeaf: LeafMaterial;
const servers: Server[] = [];

beforeAll(async () => {
  const constraints = {
    permittedDomains: ['home.lan'],
    permittedIps: ['127.0.0.0/8'],
    days: 3650,
    keyBits: 3072 as const,
  };
  const [ours, other] = await Promise.all([
    createCa({ commonName: 'readiness CA', ...constraints }),
    createCa({ commonName: 'someone else', ...constraints }),
  ]);
  ca = ours;
  [leaf, foreignLeaf] = await Promise.all([
    issueServerCertificate(ours, { dnsNames: [], ips: ['127.0.0.1'], days: 30 }),
    issueServerCertificate(other, { dnsNames: [], ips: ['127.0.0.1'], days: 30 }),
  ]);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A registry's /v2/ as Distribution answers it with htpasswd auth, or with none when `open`. */
function startRegistry(port: number, material: LeafMaterial, open = false): Promise<Server> {
  const server = createHttpsServer({ cert: material.certPem, key: material.keyPem }, (request, response) => {
    if (open || request.headers.authorization === AUTH) {
      response.writeHead(200, {
        'content-type': 'application/json',
        'docker-distribution-api-version': 'registry/2.0',
      });
      response.end('{}');
      return;
    }
    response.writeHead(401, {
      'www-authenticate': 'Basic realm="Registry Realm"',
      'content-type': 'application/json',
    });
    response.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const client = (port: number, password = 'right-pw') =>
  createRegistryClient({
    baseUrl: `https://127.0.0.1:${port}`,
    ca: ca.certPem,
    auth: { username: 'homefaas', password },
  });

describe('waitForRegistry', () => {
  it('waits, with progress lines, until a registry that is still starting answers', async () => {
    const port = await freePort();
    const logger = createMemoryLogger();
    setTimeout(() => void startRegistry(port, leaf), 800);
    const registry = client(port);
    const result = await waitForRegistry({
      client: registry,
      url: `https://127.0.0.1:${port}`,
      timeoutMs: 10_000,
      intervalMs: 100,
      logger,
    });
    await registry.close();
    expect(result).toMatchObject({ status: 200, authRequired: true, authenticated: true });
    expect(logger.lines[0]).toMatch(
      new RegExp(`^waiting for https://127\\.0\\.0\\.1:${port}/v2/ \\(.*refused`),
    );
  });

  it('gives up after the timeout, saying what it last saw', async () => {
    const port = await freePort();
    const registry = client(port);
    const started = Date.now();
    const error = await waitForRegistry({
      client: registry,
      url: `https://127.0.0.1:${port}`,
      timeoutMs: 600,
      intervalMs: 100,
      logger: createMemoryLogger(),
      hint: 'docker logs x',
    }).catch((e: unknown) => e);
    await registry.close();
    expect(isHomefaasError(error, 'ERR_REGISTRY_NOT_READY')).toBe(true);
    expect((error as Error).message).toContain(`https://127.0.0.1:${port}/v2/ did not answer within 1 s`);
    expect((error as Error).message).toContain('refused');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops waiting as soon as the container is known to have stopped', async () => {
    const port = await freePort();
    const registry = client(port);
    const error = await waitForRegistry({
      client: registry,
      url: `https://127.0.0.1:${port}`,
      timeoutMs: 60_000,
      logger: createMemoryLogger(),
      giveUpReason: async () => 'container docker-registry is exited (exit code 1)',
    }).catch((e: unknown) => e);
    await registry.close();
    expect(isHomefaasError(error, 'ERR_REGISTRY_NOT_READY')).toBe(true);
    expect((error as Error).message).toBe(
      `The registry at https://127.0.0.1:${port} stopped: container docker-registry is exited (exit code 1)`,
    );
  });

  it('does not wait for a certificate from another CA: ERR_REGISTRY_UNTRUSTED at once', async () => {
    const port = await freePort();
    await startRegistry(port, foreignLeaf);
    const registry = client(port);
    const started = Date.now();
    const error = await waitForRegistry({
      client: registry,
      url: `https://127.0.0.1:${port}`,
      timeoutMs: 30_000,
      logger: createMemoryLogger(),
    }).catch((e: unknown) => e);
    await registry.close();
    expect(isHomefaasError(error, 'ERR_REGISTRY_UNTRUSTED')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('assertAuthenticated', () => {
  it('passes when the registry asked for credentials and accepted ours', async () => {
    const port = await freePort();
    await startRegistry(port, leaf);
    const registry = client(port);
    const ping = await registry.ping();
    await registry.close();
    expect(() => assertAuthenticated(ping, 'https://x', 'homefaas')).not.toThrow();
  });

  it('refuses a registry that does not ask for credentials', async () => {
    const port = await freePort();
    await startRegistry(port, leaf, true);
    const registry = client(port);
    const ping = await registry.ping();
    await registry.close();
    expect(() => assertAuthenticated(ping, `https://127.0.0.1:${port}`, 'homefaas')).toThrow(
      /answers without asking for credentials/,
    );
  });

  it('refuses when no credentials were sent', () => {
    const error = (() => {
      try {
        assertAuthenticated(
          { status: 401, authRequired: true, authenticated: false },
          'https://r:5000',
          'homefaas',
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(isHomefaasError(error, 'ERR_REGISTRY_AUTH')).toBe(true);
    expect((error as Error).message).toBe('https://r:5000/v2/ did not accept user homefaas.');
  });
});
