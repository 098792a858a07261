import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaMaterial, createCa, describeCertificate, encryptPrivateKey } from '@homefaas/certificates';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CA_PATHS } from '../../ca/ca-location';
import { createTestWorkspace } from '../../test-support/ca-workspace';
import { generateCertificate } from './generator';
import type { CertificateGeneratorSchema } from './schema';

// RSA keys are a means here, not the subject: real keys, shared by the run's test files (withSharedKeys).
vi.mock(import('@homefaas/certificates/src/keygen'), async (original) =>
  (await import('@homefaas/certificates/src/test-support/shared-keys')).withSharedKeys(await original()),
);

const { certPath: CA_CERT_PATH, keyPath: CA_KEY_PATH } = DEFAULT_CA_PATHS;

const PASSPHRASE = 'certificate test passphrase';
const PASS = { HOMEFAAS_CA_PASSPHRASE: PASSPHRASE };
const DOMAIN = 'docker-registry.home.lan';
const CRT = `infra/certs/${DOMAIN}.crt`;
const KEY = `infra/certs/${DOMAIN}.key`;
const CHAIN = `infra/certs/${DOMAIN}.fullchain.pem`;
let ca: CaMaterial;
/** The CA key as written to disk, encrypted once: each encryption costs 600 000 PBKDF2 rounds. */
let encryptedCaKey: string;
let ws: ReturnType<typeof createTestWorkspace>;

beforeAll(async () => {
  ca = await createCa({
    commonName: 'cert gen CA',
    permittedDomains: ['home.lan'],
    permittedIps: ['127.0.0.1/32', '192.168.0.0/16'],
    days: 3650,
    keyBits: 3072,
  });
  encryptedCaKey = encryptPrivateKey(ca.keyPem, PASSPHRASE);
});
beforeEach(() => {
  ws = createTestWorkspace();
  mkdirSync(join(ws.root, 'infra/ca'), { recursive: true });
  writeFileSync(join(ws.root, CA_CERT_PATH), ca.certPem);
  writeFileSync(join(ws.root, CA_KEY_PATH), encryptedCaKey, { mode: 0o600 });
});
afterEach(() => ws.remove());

async function runCert(schema: Partial<CertificateGeneratorSchema>, env: NodeJS.ProcessEnv = PASS) {
  const environment = ws.environment(env);
  const callback = await generateCertificate(ws.tree(), { domain: DOMAIN, ...schema }, environment);
  return { callback, lines: environment.logger.lines };
}

describe('nx g certificate', () => {
  it('writes nothing until the callback, then the certificate, a 0600 key and the full chain', async () => {
    const before = ws.files();
    const { callback } = await runCert({
      ip: '127.0.0.1,192.168.1.20',
      altNames: 'a.home.lan,*.fn.home.lan',
    });
    expect(ws.files()).toEqual(before);
    await callback?.();
    expect(ws.mode(KEY)).toBe(0o600);
    expect(ws.read(CHAIN)).toBe(`${ws.read(CRT).trimEnd()}\n${ca.certPem.trimEnd()}\n`);
    expect(ws.openssl(['verify', '-CAfile', CA_CERT_PATH, CRT]).stdout).toContain(': OK');
    const text = ws.openssl(['x509', '-in', CRT, '-noout', '-text']).stdout;
    expect(text).toContain(
      'DNS:docker-registry.home.lan, DNS:a.home.lan, DNS:*.fn.home.lan, IP Address:127.0.0.1, IP Address:192.168.1.20',
    );
    expect(text).toContain('TLS Web Server Authentication');
    const modulus = (args: string[]) => ws.openssl(args).stdout;
    expect(modulus(['rsa', '-in', KEY, '-noout', '-modulus'])).toBe(
      modulus(['x509', '-in', CRT, '-noout', '-modulus']),
    );
    const info = describeCertificate(ws.read(CRT));
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(397 * 86_400_000);
  });

  it('a second run changes nothing, says so, and needs no passphrase', async () => {
    await (await runCert({ ip: '127.0.0.1' })).callback?.();
    const before = [ws.read(CRT), ws.read(KEY), ws.read(CHAIN)];
    const again = await runCert({ ip: '127.0.0.1' }, {});
    expect(again.callback).toBeUndefined();
    expect(again.lines.join('\n')).toMatch(/unchanged/);
    expect([ws.read(CRT), ws.read(KEY), ws.read(CHAIN)]).toEqual(before);
  });

  it.each([
    ['--renew', { ip: '127.0.0.1', renew: true }, 'renewal requested'],
    ['other names', { ip: '127.0.0.1', altNames: 'b.home.lan' }, 'names changed'],
    ['other IPs', {}, 'names changed'],
  ])('reissues for %s', async (_label, schema, reason) => {
    await (await runCert({ ip: '127.0.0.1' })).callback?.();
    const before = ws.read(CRT);
    const { callback, lines } = await runCert(schema);
    expect(lines.join('\n')).toContain(reason);
    await callback?.();
    expect(ws.read(CRT)).not.toBe(before);
  });

  it('--days sets the validity', async () => {
    await (await runCert({ days: 825 })).callback?.();
    const info = describeCertificate(ws.read(CRT));
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(825 * 86_400_000);
  });
});

describe('nx g certificate refuses bad input before writing anything', () => {
  it.each([
    [{ domain: 'has space.home.lan' }, 'ERR_CERT_DNS_NAME', 'domain "has space.home.lan"'],
    [{ domain: '-lead.home.lan' }, 'ERR_CERT_DNS_NAME', 'hyphen'],
    [{ domain: `${'a'.repeat(64)}.home.lan` }, 'ERR_CERT_DNS_NAME', 'limit is 63'],
    [{ domain: `${Array(5).fill('a'.repeat(50)).join('.')}.home.lan` }, 'ERR_CERT_DNS_NAME', 'limit is 253'],
    [{ domain: '' }, 'ERR_CERT_DNS_NAME', 'empty'],
    [{ domain: 'a..home.lan' }, 'ERR_CERT_DNS_NAME', 'empty label'],
    [{ domain: '*.home.lan' }, 'ERR_CERT_DNS_NAME', '--altNames'],
    [{ altNames: 'ok.home.lan,bad_name.home.lan' }, 'ERR_CERT_DNS_NAME', '--altNames "bad_name.home.lan"'],
    [{ ip: '127.0.0.1,1.2.3' }, 'ERR_CERT_IP', '--ip "1.2.3"'],
    [{ ip: '192.168.1.300' }, 'ERR_CERT_IP', '--ip'],
    [{ days: 826 }, 'ERR_CERT_DAYS', '--days 826 is out of range: give a whole number from 1 to 825.'],
    [{ days: 0 }, 'ERR_CERT_DAYS', '--days 0 is out of range: give a whole number from 1 to 825.'],
    [{ domain: 'registry.example.com' }, 'ERR_CERT_CONSTRAINTS', 'registry.example.com is outside'],
    [{ altNames: 'x.home.arpa' }, 'ERR_CERT_CONSTRAINTS', 'x.home.arpa is outside'],
    [{ ip: '10.0.0.5' }, 'ERR_CERT_CONSTRAINTS', '10.0.0.5 is outside'],
  ])('%j → %s', async (schema, code, text) => {
    const before = ws.files();
    const error = await runCert(schema).catch((caught) => caught);
    expect(error).toMatchObject({ code });
    expect(`${error.message} ${error.hint ?? ''}`).toContain(text);
    expect(error.hint).toBeTruthy();
    expect(ws.files()).toEqual(before);
  });

  it('a wrong passphrase leaves the CA files byte-identical and writes nothing', async () => {
    const before = ws.files().map((path) => [path, ws.read(path)]);
    const error = await runCert({}, { HOMEFAAS_CA_PASSPHRASE: 'not it' }).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_PASSPHRASE' });
    expect(error.message).not.toContain('not it');
    expect(ws.files().map((path) => [path, ws.read(path)])).toEqual(before);
  });

  it('without a CA says which command creates it', async () => {
    ws.remove();
    ws = createTestWorkspace();
    const error = await runCert({}).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_MISSING' });
    expect(error.hint).toContain('npx nx g ca');
    expect(ws.files()).toEqual([]);
  });
});

describe("nx g certificate renews by the certificate's own lifetime", () => {
  const DAY = 86_400_000;
  const lifetime = () => {
    const info = describeCertificate(ws.read(CRT));
    return (info.notAfter.getTime() - info.notBefore.getTime()) / DAY;
  };

  it('a 1-day certificate is kept by the next run, not reissued each time', async () => {
    await (await runCert({ days: 1 })).callback?.();
    const before = ws.read(CRT);
    const again = await runCert({ days: 1 }, {});
    expect(again.callback).toBeUndefined();
    expect(again.lines.join('\n')).toMatch(/unchanged/);
    expect(ws.read(CRT)).toBe(before);
  });

  it('a 20-day certificate is kept with 10 days left and reissued with 5, for 20 days again', async () => {
    await (await runCert({ days: 20 })).callback?.();
    const at = (day: number) => new Date(Date.now() + day * DAY);
    const kept = await generateCertificate(
      ws.tree(),
      { domain: DOMAIN },
      { ...ws.environment({}), now: at(10) },
    );
    expect(kept).toBeUndefined();
    const environment = { ...ws.environment(PASS), now: at(15) };
    const renewed = await generateCertificate(ws.tree(), { domain: DOMAIN }, environment);
    expect(environment.logger.lines.join('\n')).toMatch(
      /issued infra\/certs\/docker-registry\.home\.lan\.crt for docker-registry\.home\.lan, valid 20 days like the one it replaces \(4 of its 20 days left: renewed in the last third\)/,
    );
    await renewed?.();
    expect(lifetime()).toBe(20);
  });

  it('--days on a reissue is used, and the message says it was configured', async () => {
    await (await runCert({ days: 20 })).callback?.();
    const { callback, lines } = await runCert({ days: 30, renew: true });
    expect(lines.join('\n')).toContain('valid 30 days (as configured) (renewal requested)');
    await callback?.();
    expect(lifetime()).toBe(30);
  });
});

describe('nx g certificate and where homefaas.json puts the CA', () => {
  it('signs with the CA at ca.certPath and ca.keyPath', async () => {
    mkdirSync(join(ws.root, 'infra/pki'));
    renameSync(join(ws.root, CA_CERT_PATH), join(ws.root, 'infra/pki/root.pem'));
    renameSync(join(ws.root, CA_KEY_PATH), join(ws.root, 'infra/pki/root.key'));
    writeFileSync(
      join(ws.root, 'homefaas.json'),
      JSON.stringify({ ca: { certPath: 'infra/pki/root.pem', keyPath: 'infra/pki/root.key' } }),
    );
    await (await runCert({})).callback?.();
    expect(ws.openssl(['verify', '-CAfile', 'infra/pki/root.pem', CRT]).stdout).toContain(': OK');
  });

  it('a damaged CA certificate is ERR_CA_CORRUPT naming it', async () => {
    writeFileSync(join(ws.root, CA_CERT_PATH), ca.certPem.slice(0, 700));
    const error = await runCert({}).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_CORRUPT' });
    expect(error.message).toContain('The CA certificate infra/ca/homeCA.pem is cut short');
  });

  it('a CA key cut short is ERR_CA_KEY_CORRUPT, not a wrong passphrase', async () => {
    writeFileSync(join(ws.root, CA_KEY_PATH), ws.read(CA_KEY_PATH).slice(0, 1000));
    const error = await runCert({}).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'ERR_CA_KEY_CORRUPT' });
    expect(error.message).toContain('The CA key infra/ca/homeCA.key is cut short');
  });

  it('warns when the CA key it uses is open to other users', async () => {
    chmodSync(join(ws.root, CA_KEY_PATH), 0o640);
    const { lines } = await runCert({});
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn: The CA key infra\/ca\/homeCA\.key is open to its group \(mode 0640\)/),
    );
  });
});
