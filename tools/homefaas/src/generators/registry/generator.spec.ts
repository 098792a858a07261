import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaMaterial, createCa, encryptPrivateKey } from '@homefaas/certificates';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { verifyUser } from '@homefaas/htpasswd';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { generateRegistry } from './generator';
import type { RegistryGeneratorSchema } from './schema';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const PASSPHRASE = 'registry generator passphrase';
const PASSWORD = 'registry-pw-Zq8';
const HOST = 'docker-registry.home.lan';
let ca: CaMaterial;
/** The CA key as written to disk, encrypted once: each encryption costs 600 000 PBKDF2 rounds. */
let encryptedCaKey: string;
const roots: string[] = [];

beforeAll(async () => {
  ca = await createCa({
    commonName: 'generator CA',
    permittedDomains: ['home.lan'],
    permittedIps: ['127.0.0.0/8', '192.168.0.0/16'],
    days: 3650,
    keyBits: 3072,
  });
  encryptedCaKey = encryptPrivateKey(ca.keyPem, PASSPHRASE);
});
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

function workspaceWithCa(): string {
  const root = mkdtempSync(join(tmpdir(), 'homefaas-registry-gen-'));
  roots.push(root);
  mkdirSync(join(root, 'infra/ca'), { recursive: true });
  writeFileSync(join(root, 'infra/ca/homeCA.pem'), ca.certPem);
  writeFileSync(join(root, 'infra/ca/homeCA.key'), encryptedCaKey, { mode: 0o600 });
  return root;
}

/** Runs the generator the way `nx g` does: flush the Tree, then run the callback. */
async function generate(root: string, schema: RegistryGeneratorSchema, env: NodeJS.ProcessEnv) {
  const tree = new FsTree(root, false);
  const logger = createMemoryLogger();
  const callback = await generateRegistry(tree, schema, { env, logger });
  const changes = tree.listChanges().map((change) => change.path);
  flushChanges(root, tree.listChanges());
  await callback?.();
  return { logger, changes };
}

const fullEnv = { REGISTRY_PASSWORD: PASSWORD, HOMEFAAS_CA_PASSPHRASE: PASSPHRASE };
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe('nx g registry', () => {
  it("renders infra/registry/ in the seed's layout, with a certificate openssl verifies against the CA", async () => {
    const root = workspaceWithCa();
    const { logger } = await generate(root, { ip: '127.0.0.1,192.168.1.20' }, fullEnv);

    const compose = parse(read(root, 'infra/registry/docker-compose.yml')).services.registry;
    expect(compose.image).toBe('registry:2');
    expect(compose.environment.REGISTRY_AUTH).toBe('htpasswd');
    expect(read(root, 'infra/registry/ca-certs/homeCA.pem')).toBe(ca.certPem);
    const cert = join(root, `infra/registry/certs/${HOST}.crt`);
    const verify = execFileSync('openssl', ['verify', '-CAfile', join(root, 'infra/ca/homeCA.pem'), cert], {
      encoding: 'utf8',
    });
    expect(verify.trim()).toBe(`${cert}: OK`);
    const sans = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-ext', 'subjectAltName'], {
      encoding: 'utf8',
    });
    expect(sans).toContain(`DNS:${HOST}, IP Address:127.0.0.1, IP Address:192.168.1.20`);
    const key = join(root, `infra/registry/certs/${HOST}.key`);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const keyModulus = execFileSync('openssl', ['rsa', '-in', key, '-noout', '-modulus'], {
      encoding: 'utf8',
    });
    const certModulus = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-modulus'], {
      encoding: 'utf8',
    });
    expect(keyModulus).toBe(certModulus);

    const htpasswd = read(root, 'infra/registry/auth/registry.password');
    expect(htpasswd).toMatch(/^homefaas:\$2y\$05\$/);
    expect(verifyUser(htpasswd, 'homefaas', PASSWORD)).toBe(true);
    expect(statSync(join(root, 'infra/registry/auth/registry.password')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(root, 'infra/registry/data'))).toBe(true);

    expect(JSON.parse(read(root, 'homefaas.json'))).toEqual({
      registry: {
        host: HOST,
        port: 5000,
        user: 'homefaas',
        image: 'registry:2',
        ips: ['127.0.0.1', '192.168.1.20'],
        ui: false,
      },
    });
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
    expect(logger.lines.join('\n')).not.toContain(PASSPHRASE);
  });

  it('changes nothing the second time, and then needs neither the passphrase nor the password', async () => {
    const root = workspaceWithCa();
    await generate(root, { ip: '127.0.0.1' }, fullEnv);
    const before = [
      `infra/registry/certs/${HOST}.crt`,
      `infra/registry/certs/${HOST}.key`,
      'infra/registry/auth/registry.password',
    ].map((p) => read(root, p));
    const { logger, changes } = await generate(root, {}, {});
    expect(logger.lines.join('\n')).not.toContain('will write');
    expect(changes).toEqual([]);
    expect(
      [
        `infra/registry/certs/${HOST}.crt`,
        `infra/registry/certs/${HOST}.key`,
        'infra/registry/auth/registry.password',
      ].map((p) => read(root, p)),
    ).toEqual(before);
  });

  it('reissues when the IP addresses change, updates a changed password, and records --port, --user and --ui', async () => {
    const root = workspaceWithCa();
    await generate(root, { ip: '127.0.0.1' }, fullEnv);
    const firstCert = read(root, `infra/registry/certs/${HOST}.crt`);
    await generate(
      root,
      { ip: 'none', port: 5443, user: 'pusher', ui: true },
      { ...fullEnv, REGISTRY_PASSWORD: 'second-pw' },
    );
    expect(read(root, `infra/registry/certs/${HOST}.crt`)).not.toBe(firstCert);
    const htpasswd = read(root, 'infra/registry/auth/registry.password');
    expect(verifyUser(htpasswd, 'pusher', 'second-pw')).toBe(true);
    expect(verifyUser(htpasswd, 'homefaas', PASSWORD)).toBe(true);
    const compose = parse(read(root, 'infra/registry/docker-compose.yml')).services;
    expect(compose.registry.ports).toEqual(['5443:5443']);
    expect(compose['registry-ui']).toBeDefined();
    expect(JSON.parse(read(root, 'homefaas.json')).registry).toMatchObject({
      port: 5443,
      user: 'pusher',
      ips: [],
      ui: true,
    });
  });

  it('refuses another password for an existing user, writing nothing; --changePassword replaces it', async () => {
    const root = workspaceWithCa();
    await generate(root, {}, fullEnv);
    const files = [
      'infra/registry/auth/registry.password',
      'infra/registry/docker-compose.yml',
      'homefaas.json',
    ];
    const before = files.map((p) => read(root, p));
    const typo = { ...fullEnv, REGISTRY_PASSWORD: 'typo-pw-4' };
    const error = await generate(root, { port: 5443 }, typo).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_REGISTRY_PASSWORD_MISMATCH')).toBe(true);
    const { message, hint } = error as { message: string; hint: string };
    expect(hint).toContain('`npx nx run infra:registry-up --changePassword`');
    expect(message).toBe(
      'REGISTRY_PASSWORD is not the password of user homefaas in infra/registry/auth/registry.password.',
    );
    expect(`${message} ${hint}`).not.toContain('typo-pw-4');
    expect(files.map((p) => read(root, p))).toEqual(before);

    await generate(root, { changePassword: true }, typo);
    const htpasswd = read(root, 'infra/registry/auth/registry.password');
    expect(verifyUser(htpasswd, 'homefaas', 'typo-pw-4')).toBe(true);
    expect(verifyUser(htpasswd, 'homefaas', PASSWORD)).toBe(false);
  });

  it('keeps other homefaas.json sections as written', async () => {
    const root = workspaceWithCa();
    writeFileSync(
      join(root, 'homefaas.json'),
      JSON.stringify({ gateway: { url: 'https://gw.home.lan:8080' }, registry: { container: 'reg' } }),
    );
    await generate(root, {}, fullEnv);
    const config = JSON.parse(read(root, 'homefaas.json'));
    expect(config.gateway).toEqual({ url: 'https://gw.home.lan:8080' });
    expect(config.registry.container).toBe('reg');
    expect(parse(read(root, 'infra/registry/docker-compose.yml')).services.registry.container_name).toBe(
      'reg',
    );
  });
});

describe('nx g registry refuses bad input before writing anything', () => {
  function treeWithCa(): Tree {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('infra/ca/homeCA.pem', ca.certPem);
    tree.write('infra/ca/homeCA.key', encryptedCaKey);
    return tree;
  }

  it.each<[string, RegistryGeneratorSchema, NodeJS.ProcessEnv, string, RegExp]>([
    ['a host with a space', { host: 'docker registry.home.lan' }, fullEnv, 'ERR_CERT_DNS_NAME', /--host/],
    ['a host with a leading hyphen', { host: '-registry.home.lan' }, fullEnv, 'ERR_CERT_DNS_NAME', /--host/],
    ['an empty label', { host: 'registry..home.lan' }, fullEnv, 'ERR_CERT_DNS_NAME', /--host/],
    ['an IP that does not parse', { ip: '127.0.0.1,300.1.2.3' }, fullEnv, 'ERR_CERT_IP', /--ip/],
    ['port 0', { port: 0 }, fullEnv, 'ERR_REGISTRY_PORT', /--port 0/],
    ['port 70000', { port: 70000 }, fullEnv, 'ERR_REGISTRY_PORT', /--port 70000/],
    ['a user with a colon', { user: 'a:b' }, fullEnv, 'ERR_REGISTRY_USER', /--user/],
    [
      'an image with YAML after a newline',
      { image: 'registry:2\n    privileged: true' },
      fullEnv,
      'ERR_IMAGE_REFERENCE',
      /--image "registry:2\\n {4}privileged: true"/,
    ],
    ['an image with a space', { image: 'registry 2' }, fullEnv, 'ERR_IMAGE_REFERENCE', /--image/],
    ['an uppercase image name', { image: 'Registry:2' }, fullEnv, 'ERR_IMAGE_REFERENCE', /--image/],
    ['a name outside the CA constraints', { host: 'registry.example.com' }, fullEnv, '', /example\.com/],
    [
      'a wrong passphrase',
      {},
      { ...fullEnv, HOMEFAAS_CA_PASSPHRASE: 'wrong' },
      'ERR_CA_PASSPHRASE',
      /passphrase/i,
    ],
    [
      'no password and no terminal',
      {},
      { HOMEFAAS_CA_PASSPHRASE: PASSPHRASE },
      'ERR_SECRET_MISSING',
      /REGISTRY_PASSWORD/,
    ],
  ])('%s', async (_label, schema, env, code, text) => {
    const tree = treeWithCa();
    const before = tree.listChanges().length;
    const error = await generateRegistry(tree, schema, { env, logger: createMemoryLogger() }).catch(
      (e: unknown) => e,
    );
    expect(isHomefaasError(error)).toBe(true);
    if (code) expect((error as { code: string }).code).toBe(code);
    expect(`${(error as Error).message} ${(error as { hint?: string }).hint ?? ''}`).toMatch(text);
    expect(tree.listChanges().length).toBe(before);
  });

  it('refuses an image from homefaas.json that is not a reference, naming where it came from', async () => {
    const tree = treeWithCa();
    tree.write('homefaas.json', JSON.stringify({ registry: { image: 'registry:2\nprivileged: true' } }));
    const error = await generateRegistry(tree, {}, { env: fullEnv, logger: createMemoryLogger() }).catch(
      (e: unknown) => e,
    );
    expect(isHomefaasError(error, 'ERR_IMAGE_REFERENCE')).toBe(true);
    expect((error as Error).message).toContain('homefaas.json registry.image');
    expect(tree.exists('infra/registry/docker-compose.yml')).toBe(false);
  });

  it('says which command creates the CA when there is none', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const error = await generateRegistry(tree, {}, { env: fullEnv, logger: createMemoryLogger() }).catch(
      (e: unknown) => e,
    );
    expect(isHomefaasError(error, 'ERR_CA_MISSING')).toBe(true);
    expect((error as { hint: string }).hint).toContain('npx nx g ca');
    expect(tree.exists('infra/registry/docker-compose.yml')).toBe(false);
  });
});
