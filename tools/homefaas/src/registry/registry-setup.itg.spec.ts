import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, issueServerCertificate } from '@homefaas/certificates';
import { parseHomefaasConfig } from '@homefaas/config';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { createEngine } from '@homefaas/docker-engine';
import { createRegistryClient } from '@homefaas/registry-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckResult, runDoctorChecks } from '../executors/doctor/checks';
import {
  createRegistryTestWorkspace,
  curlStatus,
  type RegistryTestWorkspace,
} from '../test-support/registry-itg-workspace';
import { type RegistrySettingsOptions, resolveRegistrySettings } from './registry-settings';
import { ensureRegistryReady } from './registry-setup';

// From nothing to a running TLS + htpasswd registry container on the real engine, then the ways it breaks.
// Each test builds on the state the previous one left, in order.
let ws: RegistryTestWorkspace;
const engine = createEngine();
const HOST = 'docker-registry.home.lan';

beforeAll(async () => {
  ws = await createRegistryTestWorkspace('registry-setup');
});
afterAll(() => {
  ws.cleanup();
});

function settings(env: NodeJS.ProcessEnv, options: RegistrySettingsOptions = {}) {
  const config = parseHomefaasConfig(readFileSync(join(ws.root, 'homefaas.json'), 'utf8'));
  return resolveRegistrySettings(
    {
      port: ws.port,
      container: ws.container,
      certsDir: ws.certsDir,
      dockerConfig: ws.dockerConfig,
      timeout: 60,
      ...options,
    },
    { root: ws.root, config, env: { PATH: process.env.PATH, HOME: ws.root, ...env }, interactive: false },
  );
}
const withSecrets = () => ({ REGISTRY_PASSWORD: ws.password, HOMEFAAS_CA_PASSPHRASE: ws.passphrase });
const url = () => `https://${ws.address}/v2/`;
const caFile = () => join(ws.root, 'infra/ca/homeCA.pem');

async function doctor(env: NodeJS.ProcessEnv): Promise<Record<string, CheckResult>> {
  const results = await runDoctorChecks(settings(env), { engine: () => engine });
  return Object.fromEntries(results.map((result) => [result.name, result]));
}

describe('ensureRegistryReady on the real engine', () => {
  it('goes from nothing to a running TLS + htpasswd registry, trusted and logged in', async () => {
    const logger = createMemoryLogger();
    const results = await ensureRegistryReady(settings(withSecrets()), { engine, logger });
    expect(results.map((r) => [r.name, r.changed])).toEqual([
      ['CA', true],
      ['registry host', false],
      ['registry certificate', true],
      ['htpasswd', true],
      ['registry container', true],
      ['registry', false],
      ['daemon trust', true],
      ['docker login', true],
    ]);
    expect(logger.lines.join('\n')).not.toContain(ws.password);
    expect(logger.lines.join('\n')).not.toContain(ws.passphrase);
    // Checked by curl, trusting only our CA.
    expect(curlStatus(url(), caFile())).toBe(401);
    expect(curlStatus(url(), caFile(), `homefaas:${ws.password}`)).toBe(200);
    expect(curlStatus(url(), caFile(), 'homefaas:wrong')).toBe(401);
    expect(readFileSync(join(ws.certsDir, ws.address, 'ca.crt'), 'utf8')).toBe(ws.ca.certPem);
    const config = JSON.parse(readFileSync(join(ws.dockerConfig, 'config.json'), 'utf8'));
    expect(config.auths[ws.address].auth).toBe(Buffer.from(`homefaas:${ws.password}`).toString('base64'));
    const state = await engine.inspectContainer(ws.container);
    expect(state).toMatchObject({ running: true, networkMode: 'host', restartPolicy: 'always' });
  });

  it('changes nothing the second time, without the CA passphrase or the password', async () => {
    const logger = createMemoryLogger();
    const results = await ensureRegistryReady(settings({}), { engine, logger });
    expect(results.filter((r) => r.changed)).toEqual([]);
    expect(logger.lines).toHaveLength(8);
    expect(logger.lines.every((line) => line.startsWith('✔ '))).toBe(true);
  });

  it('doctor reports every check passing', async () => {
    const checks = await doctor({});
    expect(Object.values(checks).filter((check) => !check.ok)).toEqual([]);
    expect(Object.keys(checks)).toEqual([
      'CA',
      'registry certificate',
      'name resolves',
      'registry reachable',
      'TLS verified',
      'certificate served',
      'auth accepted',
      'daemon trusts the CA',
      'logged in',
    ]);
  });

  it('a wrong password gives a clear error', async () => {
    const client = createRegistryClient({
      baseUrl: `https://${ws.address}`,
      ca: ws.ca.certPem,
      auth: { username: 'homefaas', password: 'not-the-password' },
    });
    const error = await client.ping().catch((e: unknown) => e);
    await client.close();
    expect(isHomefaasError(error, 'ERR_REGISTRY_AUTH')).toBe(true);
    expect((error as Error).message).toBe(
      `Registry answered 401 to GET ${url()} with the credentials of user "homefaas".`,
    );
    expect((error as Error).message).not.toContain('not-the-password');

    const checks = await doctor({ REGISTRY_PASSWORD: 'not-the-password' });
    expect(checks['auth accepted']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('Registry answered 401'),
    });
    expect(checks['TLS verified']?.ok).toBe(true);
    expect(checks['logged in']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('another password'),
    });
  });

  it('a stopped registry is reported by doctor, then started again', async () => {
    await engine.stopContainer(ws.container);
    const checks = await doctor({});
    expect(checks['registry reachable']).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`container ${ws.container} is exited`),
      hint: 'Run npx nx run infra:registry-up.',
    });
    expect(checks['TLS verified']?.ok).toBe(false);

    const results = await ensureRegistryReady(settings({}), { engine, logger: createMemoryLogger() });
    expect(results.find((r) => r.name === 'registry container')).toMatchObject({
      changed: true,
      detail: `${ws.container} was exited: started`,
    });
    expect(curlStatus(url(), caFile(), `homefaas:${ws.password}`)).toBe(200);
  });

  it('a certificate from another CA gives the "not signed by our CA" error, and registry-up replaces it', async () => {
    const otherCa = await createCa({
      commonName: 'someone else',
      permittedDomains: ['home.lan'],
      permittedIps: ['127.0.0.0/8'],
      days: 3650,
      keyBits: 3072,
    });
    const foreign = await issueServerCertificate(otherCa, { dnsNames: [HOST], ips: ['127.0.0.1'], days: 30 });
    writeFileSync(join(ws.root, `infra/registry/certs/${HOST}.crt`), foreign.certPem);
    writeFileSync(join(ws.root, `infra/registry/certs/${HOST}.key`), foreign.keyPem);
    execFileSync('docker', ['restart', ws.container]);

    const client = createRegistryClient({ baseUrl: `https://${ws.address}`, ca: ws.ca.certPem });
    let error: unknown;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      error = await client.ping().catch((e: unknown) => e);
      if (isHomefaasError(error, 'ERR_REGISTRY_UNTRUSTED')) break;
      await new Promise((done) => setTimeout(done, 200));
    }
    await client.close();
    expect(isHomefaasError(error, 'ERR_REGISTRY_UNTRUSTED')).toBe(true);
    expect((error as Error).message).toContain("the registry's certificate is not signed by a trusted CA");
    expect((await doctor({}))['TLS verified']).toMatchObject({ ok: false });

    const results = await ensureRegistryReady(settings(withSecrets()), {
      engine,
      logger: createMemoryLogger(),
    });
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName['registry certificate']).toMatchObject({
      changed: true,
      detail: expect.stringContaining('not issued by this CA'),
    });
    expect(byName['registry container']?.detail).toContain('restarted: to load the new certificate');
    expect(curlStatus(url(), caFile(), `homefaas:${ws.password}`)).toBe(200);
  });

  it('restarts a registry that serves an old certificate, even one another CA signed, to load the file', async () => {
    const otherCa = await createCa({
      commonName: 'replaced CA',
      permittedDomains: ['home.lan'],
      permittedIps: ['127.0.0.0/8'],
      days: 3650,
      keyBits: 3072,
    });
    const certFile = join(ws.root, `infra/registry/certs/${HOST}.crt`);
    const keyFile = join(ws.root, `infra/registry/certs/${HOST}.key`);
    const old = await issueServerCertificate(otherCa, { dnsNames: [HOST], ips: ['127.0.0.1'], days: 30 });
    writeFileSync(certFile, old.certPem);
    writeFileSync(keyFile, old.keyPem);
    execFileSync('docker', ['restart', ws.container]);
    // The file is then replaced by one of our CA, as a renewal by another command does; no restart.
    const current = await issueServerCertificate(ws.ca, { dnsNames: [HOST], ips: ['127.0.0.1'], days: 30 });
    writeFileSync(certFile, current.certPem);
    writeFileSync(keyFile, current.keyPem);

    const results = await ensureRegistryReady(settings({}), { engine, logger: createMemoryLogger() });
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName['registry certificate']?.changed).toBe(false);
    expect(byName.registry).toMatchObject({
      changed: true,
      detail: expect.stringContaining(
        `${ws.container} restarted: to load infra/registry/certs/${HOST}.crt: it serves serial`,
      ),
    });
    expect(curlStatus(url(), caFile(), `homefaas:${ws.password}`)).toBe(200);
    expect((await doctor({}))['certificate served']).toMatchObject({ ok: true });
  });

  it('another password is refused, nothing changed; with changePassword it is written and the registry restarted', async () => {
    const newPassword = `${ws.password}-2`;
    const htpasswdFile = join(ws.root, 'infra/registry/auth/registry.password');
    const before = readFileSync(htpasswdFile, 'utf8');
    const startedAt = () =>
      execFileSync('docker', ['inspect', '-f', '{{.State.StartedAt}}', ws.container], { encoding: 'utf8' });
    const startedBefore = startedAt();
    const error = await ensureRegistryReady(settings({ REGISTRY_PASSWORD: newPassword }), {
      engine,
      logger: createMemoryLogger(),
    }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_REGISTRY_PASSWORD_MISMATCH')).toBe(true);
    expect(`${(error as Error).message} ${(error as { hint: string }).hint}`).not.toContain(newPassword);
    expect(readFileSync(htpasswdFile, 'utf8')).toBe(before);
    expect(startedAt()).toBe(startedBefore);
    expect(curlStatus(url(), caFile(), `homefaas:${ws.password}`)).toBe(200);

    const results = await ensureRegistryReady(
      settings({ REGISTRY_PASSWORD: newPassword }, { changePassword: true }),
      { engine, logger: createMemoryLogger() },
    );
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName.htpasswd?.changed).toBe(true);
    expect(byName['registry container']?.detail).toContain('restarted: to load the new password');
    expect(byName['docker login']?.changed).toBe(true);
    expect(curlStatus(url(), caFile(), `homefaas:${newPassword}`)).toBe(200);
    expect(curlStatus(url(), caFile(), `homefaas:${ws.password}`)).toBe(401);
    ws.password = newPassword;
  });

  it('a container that differs is reported and kept; --recreate replaces it and data/ survives', async () => {
    const client = createRegistryClient({
      baseUrl: `https://${ws.address}`,
      ca: ws.ca.certPem,
      auth: { username: 'homefaas', password: ws.password },
    });
    const digest = await client.uploadBlob('homefaas-itg/kept', 'bytes that must survive');
    await client.close();
    const altImage = `homefaas-itg-registry-alt:${process.pid}`;
    execFileSync('docker', ['tag', 'registry:2', altImage]);
    try {
      const before = await engine.inspectContainer(ws.container);
      const error = await ensureRegistryReady(settings({}, { image: altImage }), {
        engine,
        logger: createMemoryLogger(),
      }).catch((e: unknown) => e);
      expect(isHomefaasError(error, 'ERR_REGISTRY_CONTAINER_DIFFERS')).toBe(true);
      expect((error as Error).message).toContain(`image is registry:2, expected ${altImage}`);
      expect((error as { hint: string }).hint).toContain('npx nx run infra:registry-up --recreate');
      expect((await engine.inspectContainer(ws.container))?.id).toBe(before?.id);

      const results = await ensureRegistryReady(settings({}, { image: altImage, recreate: true }), {
        engine,
        logger: createMemoryLogger(),
      });
      expect(results.find((r) => r.name === 'registry container')?.detail).toContain('recreated');
      const after = await engine.inspectContainer(ws.container);
      expect(after?.id).not.toBe(before?.id);
      expect(after?.image).toBe(altImage);
      expect(
        curlStatus(`${url()}homefaas-itg/kept/blobs/${digest}`, caFile(), `homefaas:${ws.password}`),
      ).toBe(200);
    } finally {
      await engine.removeContainer(ws.container);
      spawnSync('docker', ['rmi', altImage], { stdio: 'ignore' });
    }
  });

  it('says exactly what to run with sudo when the certs.d folder is not writable', async () => {
    await ensureRegistryReady(settings({}), { engine, logger: createMemoryLogger() });
    const locked = join(ws.root, 'locked-certs.d');
    mkdirSync(locked);
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', locked]);
    else chmodSync(locked, 0o555);
    try {
      const error = await ensureRegistryReady(settings({}, { certsDir: locked }), {
        engine,
        logger: createMemoryLogger(),
      }).catch((e: unknown) => e);
      expect(isHomefaasError(error, 'ERR_DOCKER_TRUST_NOT_WRITABLE')).toBe(true);
      expect((error as { hint: string }).hint).toBe(
        `From the workspace root run: sudo install -D -m 0644 infra/ca/homeCA.pem ${locked}/${ws.address}/ca.crt (then run this again).`,
      );
    } finally {
      if (root) execFileSync('chattr', ['-i', locked]);
      rmSync(locked, { recursive: true, force: true });
    }
  });
});
