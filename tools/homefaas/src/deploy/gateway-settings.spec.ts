import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveGatewaySettings } from './gateway-settings';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'gw-settings-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function faasCliLogin(gateway: string, user: string, password: string, dir = join(home, '.openfaas')) {
  await mkdir(dir, { recursive: true });
  const token = Buffer.from(`${user}:${password}`).toString('base64');
  await writeFile(
    join(dir, 'config.yml'),
    `auths:\n- gateway: ${gateway}\n  auth: basic\n  token: ${token}\n`,
  );
}

describe('resolveGatewaySettings: the URL', () => {
  it.each([
    [
      { option: 'http://a:8080/', stackGateway: 'http://b:8080', env: { OPENFAAS_URL: 'http://c:8080' } },
      'http://a:8080',
      '--gateway',
    ],
    [
      { stackGateway: 'http://b:8080', env: { OPENFAAS_URL: 'http://c:8080' } },
      'http://b:8080',
      'stack.yml provider.gateway',
    ],
    [
      { env: { OPENFAAS_URL: 'https://c:8080' }, configGateway: 'http://d:8080' },
      'https://c:8080',
      'OPENFAAS_URL',
    ],
    [{ env: {}, configGateway: 'http://d:8080' }, 'http://d:8080', 'homefaas.json gateway.url'],
    [{ env: {} }, 'http://127.0.0.1:8080', 'the default'],
  ])('%j → %s', async (input, url, source) => {
    const resolved = await resolveGatewaySettings({ ...input, home });
    expect(resolved).toMatchObject({ url, urlSource: source });
  });

  it('refuses a URL that is not http(s)', async () => {
    const error = await resolveGatewaySettings({ env: { OPENFAAS_URL: 'ftp://x' }, home }).catch(
      (e: unknown) => e,
    );
    expect(isHomefaasError(error, 'ERR_GATEWAY_URL')).toBe(true);
  });
});

describe('resolveGatewaySettings: the credentials', () => {
  it('takes OPENFAAS_PASSWORD with OPENFAAS_USERNAME, admin by default, before anything else', async () => {
    await faasCliLogin('http://127.0.0.1:8080', 'cli-user', 'cli-pass');
    expect((await resolveGatewaySettings({ env: { OPENFAAS_PASSWORD: 'p1' }, home })).auth).toEqual({
      username: 'admin',
      password: 'p1',
    });
    const named = await resolveGatewaySettings({
      env: { OPENFAAS_PASSWORD: 'p1', OPENFAAS_USERNAME: 'ops' },
      home,
    });
    expect(named).toMatchObject({
      auth: { username: 'ops', password: 'p1' },
      authSource: 'OPENFAAS_PASSWORD',
    });
  });

  it('reads OPENFAAS_PASSWORD_FILE without its trailing newline, and refuses an empty one', async () => {
    await writeFile(join(home, 'pw'), 'from-file\n');
    const resolved = await resolveGatewaySettings({
      env: { OPENFAAS_PASSWORD_FILE: join(home, 'pw') },
      home,
    });
    expect(resolved.auth).toEqual({ username: 'admin', password: 'from-file' });
    await writeFile(join(home, 'empty'), '');
    const error = await resolveGatewaySettings({
      env: { OPENFAAS_PASSWORD_FILE: join(home, 'empty') },
      home,
    }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_GATEWAY_PASSWORD_FILE')).toBe(true);
  });

  it("falls back to faas-cli's login for the same gateway, also under OPENFAAS_CONFIG", async () => {
    await faasCliLogin('http://gw.home.lan:8080', 'cli-user', 'cli-pass');
    const resolved = await resolveGatewaySettings({
      env: { OPENFAAS_URL: 'http://gw.home.lan:8080/' },
      home,
    });
    expect(resolved.auth).toEqual({ username: 'cli-user', password: 'cli-pass' });
    expect(resolved.authSource).toBe(join(home, '.openfaas', 'config.yml'));
    const other = await resolveGatewaySettings({ env: { OPENFAAS_URL: 'http://other:8080' }, home });
    expect(other).toMatchObject({ authSource: 'none' });
    expect(other.auth).toBeUndefined();
    const elsewhere = join(home, 'elsewhere');
    await faasCliLogin('http://other:8080', 'u2', 'p2', elsewhere);
    const viaEnv = await resolveGatewaySettings({
      env: { OPENFAAS_URL: 'http://other:8080', OPENFAAS_CONFIG: elsewhere },
      home,
    });
    expect(viaEnv.auth).toEqual({ username: 'u2', password: 'p2' });
  });
});
