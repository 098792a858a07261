import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialStoreFor, ensureDockerLogin, readDockerLogin } from './docker-login';

const address = 'docker-registry.home.lan:5000';
const credentials = { username: 'homefaas', password: 'pa:ss word' };

describe('docker login through config.json', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homefaas-login-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const options = () => ({
    configDir: join(dir, '.docker'),
    address,
    env: { PATH: process.env.PATH },
    run: runCommand,
  });

  it('writes the auths entry like docker login (base64 of user:password, mode 0600), then leaves it alone', async () => {
    expect(await readDockerLogin(options())).toBeUndefined();
    const first = await ensureDockerLogin({ ...options(), credentials });
    expect(first.changed).toBe(true);
    const file = join(dir, '.docker', 'config.json');
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toEqual({
      auths: { [address]: { auth: Buffer.from('homefaas:pa:ss word').toString('base64') } },
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readDockerLogin(options())).toEqual(credentials);
    expect((await ensureDockerLogin({ ...options(), credentials })).changed).toBe(false);
  });

  it('keeps every other key and login, and replaces a changed password', async () => {
    await mkdir(join(dir, '.docker'));
    const other = { auth: Buffer.from('me:x').toString('base64') };
    const before = {
      auths: { 'ghcr.io': other, [address]: { auth: Buffer.from('homefaas:old').toString('base64') } },
      currentContext: 'default',
      psFormat: 'table {{.Names}}',
    };
    await writeFile(join(dir, '.docker', 'config.json'), JSON.stringify(before));
    const result = await ensureDockerLogin({ ...options(), credentials });
    expect(result.changed).toBe(true);
    const after = JSON.parse(await readFile(join(dir, '.docker', 'config.json'), 'utf8'));
    expect(after.currentContext).toBe('default');
    expect(after.psFormat).toBe('table {{.Names}}');
    expect(after.auths['ghcr.io']).toEqual(other);
    expect(await readDockerLogin(options())).toEqual(credentials);
  });

  it('reads a login stored under https://host:port by older clients', async () => {
    await mkdir(join(dir, '.docker'));
    const auth = Buffer.from('homefaas:pa:ss word').toString('base64');
    await writeFile(
      join(dir, '.docker', 'config.json'),
      JSON.stringify({ auths: { [`https://${address}`]: { auth } } }),
    );
    expect(await readDockerLogin(options())).toEqual(credentials);
  });

  it('refuses a config.json that is not JSON instead of overwriting it', async () => {
    await mkdir(join(dir, '.docker'));
    await writeFile(join(dir, '.docker', 'config.json'), '{"auths": ');
    const error = await ensureDockerLogin({ ...options(), credentials }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_DOCKER_CONFIG')).toBe(true);
    expect(await readFile(join(dir, '.docker', 'config.json'), 'utf8')).toBe('{"auths": ');
  });
});

describe('docker login through a credential helper', () => {
  let dir: string;
  let bin: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homefaas-helper-'));
    bin = join(dir, 'bin');
    await mkdir(bin);
    await mkdir(join(dir, '.docker'));
    // A credential helper speaking the docker-credential-helpers protocol, storing in a file.
    await writeExecutable(
      join(bin, 'docker-credential-hftest'),
      `#!/bin/sh
store="${dir}/store.json"
case "$1" in
  get) read -r server; [ -f "$store" ] && grep -q "\\"$server\\"" "$store" && sed -n 's/^{"ServerURL":"[^"]*",\\(.*\\)}$/{\\1}/p' "$store" && exit 0
       echo "credentials not found in native keychain"; exit 1 ;;
  store) cat > "$store" ;;
esac
`,
    );
    // Stands in for the docker CLI: records how it was called, and stores through the helper as docker login does.
    await writeExecutable(
      join(bin, 'docker'),
      `#!/bin/sh
echo "$@" > "${dir}/docker-args"
password=$(cat)
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$5" "$3" "$password" | docker-credential-hftest store
echo "Login Succeeded"
`,
    );
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const options = () => ({
    configDir: join(dir, '.docker'),
    address,
    env: { PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: join(dir, '.docker') },
    run: runCommand,
  });

  it('uses credHelpers for the registry over credsStore', async () => {
    await writeFile(
      join(dir, '.docker', 'config.json'),
      JSON.stringify({ credsStore: 'desktop', credHelpers: { [address]: 'hftest' } }),
    );
    expect(await credentialStoreFor(join(dir, '.docker'), address)).toMatchObject({
      kind: 'helper',
      helper: 'hftest',
    });
    expect(await credentialStoreFor(join(dir, '.docker'), 'other:1')).toMatchObject({
      kind: 'helper',
      helper: 'desktop',
    });
  });

  it('runs docker login --password-stdin (the password never on the command line), then finds it stored', async () => {
    await writeFile(join(dir, '.docker', 'config.json'), JSON.stringify({ credsStore: 'hftest' }));
    const plain = { username: 'homefaas', password: 's3cret-pw' };
    const first = await ensureDockerLogin({ ...options(), credentials: plain });
    expect(first).toMatchObject({
      changed: true,
      detail: expect.stringContaining('credential helper hftest'),
    });
    expect((await readFile(join(dir, 'docker-args'), 'utf8')).trim()).toBe(
      `login --username homefaas --password-stdin ${address}`,
    );
    expect(await readDockerLogin(options())).toEqual(plain);
    expect((await ensureDockerLogin({ ...options(), credentials: plain })).changed).toBe(false);
    // The helper holds the password; config.json does not.
    expect(await readFile(join(dir, '.docker', 'config.json'), 'utf8')).not.toContain('s3cret-pw');
  });
});

async function writeExecutable(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}
