import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaMaterial, createCa, encryptPrivateKey, issueServerCertificate } from '@homefaas/certificates';
import { parseHomefaasConfig } from '@homefaas/config';
import { createEngine } from '@homefaas/docker-engine';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ResolvedRegistrySettings, resolveRegistrySettings } from '../../registry/registry-settings';
import { runDoctorChecks } from './checks';
import { caCheck, certificateCheck, readCaState } from './file-checks';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const HOST = 'docker-registry.home.lan';
let ca: CaMaterial;
let leaf: { certPem: string; keyPem: string };
let root: string;
let settings: Readonly<ResolvedRegistrySettings>;
const roots: string[] = [];

beforeAll(async () => {
  ca = await createCa({
    commonName: 'doctor CA',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 3650,
    keyBits: 3072,
  });
  leaf = await issueServerCertificate(ca, { dnsNames: [HOST], ips: [], days: 397 });
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'homefaas-doctor-files-'));
  roots.push(root);
  settings = resolveRegistrySettings(
    {},
    { root, config: parseHomefaasConfig(undefined), env: {}, interactive: false },
  );
});
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

function put(path: string, text: string, mode = 0o644): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
  chmodSync(join(root, path), mode);
}

async function checkCa() {
  return caCheck(settings, await readCaState(settings), new Date());
}

describe('the CA line of doctor', () => {
  it('is fine with the certificate and an encrypted 0600 key, and says so', async () => {
    put('infra/ca/homeCA.pem', ca.certPem);
    put('infra/ca/homeCA.key', encryptPrivateKey(ca.keyPem, 'pw'), 0o600);
    expect(await checkCa()).toMatchObject({
      ok: true,
      detail: expect.stringMatching(
        /^infra\/ca\/homeCA\.pem \(CN=doctor CA\) valid until .*; its key infra\/ca\/homeCA\.key is encrypted and private$/,
      ),
    });
  });

  it('is fine without the key on this machine (a machine that only publishes)', async () => {
    put('infra/ca/homeCA.pem', ca.certPem);
    expect(await checkCa()).toMatchObject({
      ok: true,
      detail: expect.stringContaining('is not on this machine'),
    });
  });

  it.each<[string, () => void, string, string]>([
    [
      'a key open to every user',
      () => put('infra/ca/homeCA.key', encryptPrivateKey(ca.keyPem, 'pw'), 0o644),
      'The CA key infra/ca/homeCA.key is open to every user (mode 0644)',
      'chmod 600 infra/ca/homeCA.key',
    ],
    [
      'a key cut short',
      () => put('infra/ca/homeCA.key', encryptPrivateKey(ca.keyPem, 'pw').slice(0, 900), 0o600),
      'The CA key infra/ca/homeCA.key is cut short',
      'restore it from your backup',
    ],
    [
      'a key not encrypted',
      () => put('infra/ca/homeCA.key', ca.keyPem, 0o600),
      'the CA key infra/ca/homeCA.key is not encrypted',
      '--importKey infra/ca/homeCA.key',
    ],
  ])('fails for %s', async (_label, arrange, detail, hint) => {
    put('infra/ca/homeCA.pem', ca.certPem);
    arrange();
    expect(await checkCa()).toMatchObject({
      name: 'CA',
      ok: false,
      detail: expect.stringContaining(detail),
      hint: expect.stringContaining(hint),
    });
  });

  it.each<[string, () => void, string, string]>([
    [
      'a damaged certificate',
      () => put('infra/ca/homeCA.pem', ca.certPem.slice(0, 600)),
      'The CA certificate infra/ca/homeCA.pem is cut short',
      'Restore it from version control (git checkout -- infra/ca/homeCA.pem)',
    ],
    [
      'a certificate that is a folder',
      () => mkdirSync(join(root, 'infra/ca/homeCA.pem'), { recursive: true }),
      'Cannot read the CA certificate infra/ca/homeCA.pem: it is a folder (EISDIR)',
      'Rename the folder infra/ca/homeCA.pem',
    ],
    [
      'a key without its certificate',
      () => put('infra/ca/homeCA.key', 'x', 0o600),
      'infra/ca/homeCA.key exists but its certificate infra/ca/homeCA.pem does not',
      'git checkout -- infra/ca/homeCA.pem',
    ],
  ])('fails for %s, naming the file', async (_label, arrange, detail, hint) => {
    arrange();
    const result = await checkCa();
    expect(result).toMatchObject({
      ok: false,
      detail: expect.stringContaining(detail),
      hint: expect.stringContaining(hint),
    });
  });

  it('a CA that cannot be read is one failed line, not a crash of the whole report', async () => {
    mkdirSync(join(root, 'infra/ca/homeCA.pem'), { recursive: true });
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const local = resolveRegistrySettings(
      { host: 'localhost', port, certsDir: join(root, 'certs.d'), dockerConfig: join(root, 'docker') },
      { root, config: parseHomefaasConfig(undefined), env: {}, interactive: false },
    );
    const results = await runDoctorChecks(local, {
      engine: () => createEngine({ socketPath: join(root, 'no-docker.sock') }),
    });
    expect(results[0]).toMatchObject({ name: 'CA', ok: false, detail: expect.stringContaining('(EISDIR)') });
  });
});

describe('the registry certificate line of doctor', () => {
  it('fails for a registry key open to other users', async () => {
    put(`infra/registry/certs/${HOST}.crt`, leaf.certPem);
    put(`infra/registry/certs/${HOST}.key`, leaf.keyPem, 0o644);
    expect(await certificateCheck(settings, ca.certPem, new Date())).toMatchObject({
      ok: false,
      detail: `its key infra/registry/certs/${HOST}.key is open to other users (mode 0644)`,
      hint: `Run chmod 600 infra/registry/certs/${HOST}.key.`,
    });
    chmodSync(join(root, `infra/registry/certs/${HOST}.key`), 0o600);
    expect(await certificateCheck(settings, ca.certPem, new Date())).toMatchObject({ ok: true });
  });
});
