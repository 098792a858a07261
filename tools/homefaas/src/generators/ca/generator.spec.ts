import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCertificate } from '@homefaas/certificates';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSigned } from '../../../../../test/support/openssl-pki';
import { CA_CERT_PATH, CA_KEY_PATH } from '../../lib/ca-files';
import { generateCertificate } from '../certificate/generator';
import { generateCa } from './generator';
import { createTestWorkspace } from './test-workspace';

const PASS = { HOMEFAAS_CA_PASSPHRASE: 'new ca passphrase' };
const FAST = { keyBits: 3072 as const };
let ws: ReturnType<typeof createTestWorkspace>;
beforeEach(() => {
  ws = createTestWorkspace();
});
afterEach(() => ws.remove());

async function runCa(schema: Parameters<typeof generateCa>[1], env: NodeJS.ProcessEnv = PASS) {
  const environment = ws.environment(env);
  const tree = ws.tree();
  const callback = await generateCa(tree, { ...FAST, ...schema }, environment);
  return { callback, tree, lines: environment.logger.lines };
}

/** The seed setup's CA: `openssl genrsa -des3` key, `openssl req -x509` certificate. */
function makeSeedCa(passphrase: string): { cert: string; key: string } {
  const key = join(ws.root, 'seed/homeCA.key');
  const cert = join(ws.root, 'seed/homeCA.pem');
  expect(
    ws.openssl([
      'genrsa',
      '-traditional',
      '-des3',
      '-passout',
      `pass:${passphrase}`,
      '-out',
      'seed.key',
      '2048',
    ]).status,
  ).toBe(0);
  const req = ws.openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    'seed.key',
    '-passin',
    `pass:${passphrase}`,
    '-sha256',
    '-days',
    '1825',
    '-subj',
    '/CN=Seed Home CA',
    '-out',
    'seed.pem',
  ]);
  expect(req.status).toBe(0);
  expect(ws.read('seed.key')).toContain('DEK-Info: DES-EDE3-CBC');
  mkdirSync(join(ws.root, 'seed'));
  writeFileSync(key, ws.read('seed.key'));
  writeFileSync(cert, ws.read('seed.pem'));
  return { cert, key };
}

describe('nx g ca', () => {
  it('computes everything first and writes only in the callback: nothing on disk or in the tree before', async () => {
    const { callback, tree } = await runCa({});
    expect(callback).toBeTypeOf('function');
    expect(ws.files()).toEqual([]);
    expect(tree.listChanges()).toEqual([]);
    await callback?.();
    expect(ws.files()).toEqual([CA_KEY_PATH, CA_CERT_PATH]);
  });

  it('writes the certificate and a 0600 key that openssl reads only with the passphrase', async () => {
    const { callback } = await runCa({});
    await callback?.();
    expect(ws.mode(CA_KEY_PATH)).toBe(0o600);
    expect(ws.mode(CA_CERT_PATH)).toBe(0o644);
    expect(ws.read(CA_KEY_PATH)).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(
      ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:new ca passphrase', '-noout']).status,
    ).toBe(0);
    expect(ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:other', '-noout']).status).not.toBe(0);
    const text = ws.openssl(['x509', '-in', CA_CERT_PATH, '-noout', '-text']).stdout;
    expect(text).toContain('Subject: CN = homefaas CA');
    expect(text).toMatch(
      /Name Constraints: critical\s+Permitted:\s+DNS:home\.lan\s+DNS:home\.arpa\s+IP:127\.0\.0\.0\/255\.0\.0\.0/,
    );
    const info = describeCertificate(ws.read(CA_CERT_PATH));
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(3650 * 86_400_000);
  });

  it('honours every option and reads the passphrase from HOMEFAAS_CA_PASSPHRASE_FILE', async () => {
    const file = join(ws.root, 'pass.txt');
    writeFileSync(file, 'from a file\n');
    const { callback } = await runCa(
      { commonName: 'My Home CA', permittedDomains: 'home.lan', permittedIps: '127.0.0.1/32', days: 100 },
      { HOMEFAAS_CA_PASSPHRASE_FILE: file },
    );
    await callback?.();
    const info = describeCertificate(ws.read(CA_CERT_PATH));
    expect(info).toMatchObject({
      commonName: 'My Home CA',
      permittedDomains: ['home.lan'],
      permittedIps: ['127.0.0.1/32'],
    });
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(100 * 86_400_000);
    expect(ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:from a file', '-noout']).status).toBe(0);
  });

  it('--permittedDomains none makes an unconstrained CA, with a warning', async () => {
    const { callback, lines } = await runCa({ permittedDomains: 'none', permittedIps: 'none' });
    await callback?.();
    expect(lines.some((line) => line.startsWith('warn:') && line.includes('no DNS name constraints'))).toBe(
      true,
    );
    expect(ws.openssl(['x509', '-in', CA_CERT_PATH, '-noout', '-text']).stdout).not.toContain(
      'Name Constraints',
    );
  });

  it('never replaces an existing CA without --rotate, and needs no passphrase to say so', async () => {
    await (await runCa({})).callback?.();
    const before = [ws.read(CA_CERT_PATH), ws.read(CA_KEY_PATH)];
    const again = await runCa({ commonName: 'Another' }, {});
    expect(again.callback).toBeUndefined();
    expect(again.lines.join('\n')).toMatch(
      /A CA already exists: infra\/ca\/homeCA\.pem, CN=homefaas CA.*Nothing changed/,
    );
    expect(again.lines.join('\n')).toContain('--rotate');
    expect([ws.read(CA_CERT_PATH), ws.read(CA_KEY_PATH)]).toEqual(before);
  });

  it('--rotate moves the old pair to infra/ca/old/<date>/ and writes a new one', async () => {
    await (await runCa({})).callback?.();
    const old = [ws.read(CA_CERT_PATH), ws.read(CA_KEY_PATH)];
    await (await runCa({ rotate: true })).callback?.();
    const date = new Date().toISOString().slice(0, 10);
    expect([ws.read(`infra/ca/old/${date}/homeCA.pem`), ws.read(`infra/ca/old/${date}/homeCA.key`)]).toEqual(
      old,
    );
    expect(ws.mode(`infra/ca/old/${date}/homeCA.key`)).toBe(0o600);
    expect(ws.read(CA_CERT_PATH)).not.toBe(old[0]);
    await (await runCa({ rotate: true })).callback?.();
    expect(ws.exists(`infra/ca/old/${date}-2/homeCA.pem`)).toBe(true);
  });

  it.each([
    [{ permittedDomains: 'home lan' }, 'ERR_CERT_DNS_NAME', '--permittedDomains'],
    [{ permittedDomains: '*.home.lan' }, 'ERR_CERT_DNS_NAME', 'wildcard'],
    [{ permittedDomains: ',' }, 'ERR_CA_CONSTRAINTS', '--permittedDomains is empty'],
    [{ permittedIps: '192.168.1.0/16' }, 'ERR_CERT_CIDR', 'Did you mean 192.168.0.0/16'],
    [{ permittedIps: '300.0.0.0/8' }, 'ERR_CERT_CIDR', '--permittedIps'],
    [{ days: 0 }, 'ERR_CERT_DAYS', '--days'],
    [{ commonName: '  ' }, 'ERR_CA_COMMON_NAME', '--commonName'],
    [{ importCert: 'only-cert.pem' }, 'ERR_CA_IMPORT', '--importKey'],
    [{ importCert: 'missing.pem', importKey: 'missing.key' }, 'ERR_CA_IMPORT', 'missing.pem'],
  ])('refuses %j before writing anything', async (schema, code, text) => {
    const error = await runCa(schema).catch((caught) => caught);
    expect(error).toMatchObject({ code });
    expect(`${error.message} ${error.hint ?? ''}`).toContain(text);
    expect(ws.files()).toEqual([]);
  });

  it('without a passphrase and without a terminal, names both variables and writes nothing', async () => {
    const error = await runCa({}, {}).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_SECRET_MISSING' });
    expect(error.hint).toContain('HOMEFAAS_CA_PASSPHRASE');
    expect(error.hint).toContain('HOMEFAAS_CA_PASSPHRASE_FILE');
    expect(ws.files()).toEqual([]);
  });
});

describe('nx g ca --importCert --importKey (adopting the seed CA)', () => {
  it('adopts an openssl genrsa -des3 key with its own passphrase, stores it re-encrypted, and signs with it', async () => {
    const seed = makeSeedCa('old seed pass');
    const { callback } = await runCa(
      { importCert: seed.cert, importKey: seed.key },
      { ...PASS, HOMEFAAS_CA_IMPORT_PASSPHRASE: 'old seed pass' },
    );
    await callback?.();
    expect(ws.read(CA_CERT_PATH)).toBe(ws.read('seed.pem'));
    expect(ws.read(CA_KEY_PATH)).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(ws.mode(CA_KEY_PATH)).toBe(0o600);
    const pub = ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:new ca passphrase', '-pubout']);
    expect(pub.stdout).toBe(ws.openssl(['x509', '-in', 'seed.pem', '-noout', '-pubkey']).stdout);

    const environment = ws.environment(PASS);
    const issue = await generateCertificate(
      ws.tree(),
      { domain: 'docker-registry.home.lan', ip: '192.168.1.20' },
      environment,
    );
    await issue?.();
    const verify = ws.openssl(['verify', '-CAfile', 'seed.pem', 'infra/certs/docker-registry.home.lan.crt']);
    expect(verify.stdout).toContain(': OK');
  });

  it('reads the import passphrase from HOMEFAAS_CA_IMPORT_PASSPHRASE_FILE', async () => {
    const seed = makeSeedCa('file seed pass');
    const file = join(ws.root, 'import-pass');
    writeFileSync(file, 'file seed pass\n');
    const { callback } = await runCa(
      { importCert: seed.cert, importKey: seed.key },
      { ...PASS, HOMEFAAS_CA_IMPORT_PASSPHRASE_FILE: file },
    );
    await callback?.();
    expect(
      ws.openssl(['pkey', '-in', CA_KEY_PATH, '-passin', 'pass:new ca passphrase', '-noout']).status,
    ).toBe(0);
  });

  it('falls back to the new passphrase when no import passphrase is given', async () => {
    const seed = makeSeedCa('new ca passphrase');
    const { callback } = await runCa({ importCert: seed.cert, importKey: seed.key });
    await callback?.();
    expect(ws.read(CA_CERT_PATH)).toBe(ws.read('seed.pem'));
  });

  it('a wrong import passphrase is refused and nothing is written', async () => {
    const seed = makeSeedCa('right');
    const before = ws.files();
    const error = await runCa(
      { importCert: seed.cert, importKey: seed.key },
      { ...PASS, HOMEFAAS_CA_IMPORT_PASSPHRASE: 'wrong' },
    ).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_PASSPHRASE' });
    expect(error.hint).toContain('HOMEFAAS_CA_IMPORT_PASSPHRASE');
    expect(ws.files()).toEqual(before);
  });

  it('a key that does not match the certificate is refused and nothing is written', async () => {
    const seed = makeSeedCa('pass');
    expect(ws.openssl(['genrsa', '-out', 'stranger.key', '2048']).status).toBe(0);
    const before = ws.files();
    const error = await runCa({ importCert: seed.cert, importKey: join(ws.root, 'stranger.key') }).catch(
      (caught) => caught,
    );
    expect(error).toMatchObject({ code: 'ERR_CA_IMPORT_MISMATCH' });
    expect(error.message).toContain('stranger.key');
    expect(ws.files()).toEqual(before);
  });

  it('a server certificate is refused as a CA', async () => {
    makeSeedCa('pass');
    createSelfSigned(ws.root, 'leaf', [], ['basicConstraints=critical,CA:FALSE']);
    const error = await runCa({
      importCert: join(ws.root, 'leaf.crt'),
      importKey: join(ws.root, 'leaf.key'),
    }).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_IMPORT' });
    expect(error.message).toContain('not a CA certificate');
    expect(ws.exists('infra')).toBe(false);
  });
});
