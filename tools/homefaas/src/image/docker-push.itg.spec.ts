import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHomefaasConfig } from '@homefaas/config';
import { createMemoryLogger } from '@homefaas/core';
import { createEngine, runCommand } from '@homefaas/docker-engine';
import { createRegistryClient } from '@homefaas/registry-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDockerLogin, readDockerLogin } from '../registry/docker-login';
import { ensureDaemonTrust } from '../registry/docker-trust';
import { resolveRegistrySettings } from '../registry/registry-settings';
import { ensureRegistryReady } from '../registry/registry-setup';
import {
  createRegistryTestWorkspace,
  type RegistryTestWorkspace,
} from '../test-support/registry-itg-workspace';

// docker push and pull through the daemon, with the registry's CA in /etc/docker/certs.d/<host>:<port>/ca.crt
// (a port no one else uses; the folder is removed afterwards). dockerd treats registries that resolve to
// 127.0.0.0/8 or ::1 as insecure and skips verification for them, so on one machine this shows the files,
// login and push path; that the CA is what makes a remote registry trusted is dockerd's certs.d contract.
const DAEMON_CERTS_DIR = '/etc/docker/certs.d';
let ws: RegistryTestWorkspace;
let image: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ws = await createRegistryTestWorkspace('push');
  image = `${ws.address}/homefaas-itg/probe:${process.pid}`;
  // A credential helper (docker-credential-helpers protocol) that keeps the login in a file, so the
  // credsStore path runs the real `docker login`.
  const bin = join(ws.root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'docker-credential-hftest'),
    `#!/bin/sh
store="${ws.root}/helper-store"
case "$1" in
  store) cat > "$store" ;;
  get) read -r server; if [ -f "$store" ] && grep -q "\\"$server\\"" "$store"; then sed 's/"ServerURL":"[^"]*",//' "$store"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) rm -f "$store" ;;
  list) echo "{}" ;;
esac
`,
  );
  chmodSync(join(bin, 'docker-credential-hftest'), 0o755);
  env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: ws.root,
    REGISTRY_PASSWORD: ws.password,
    HOMEFAAS_CA_PASSPHRASE: ws.passphrase,
  };
  const settings = resolveRegistrySettings(
    { port: ws.port, container: ws.container, certsDir: ws.certsDir, dockerConfig: ws.dockerConfig },
    { root: ws.root, config: parseHomefaasConfig(undefined), env, interactive: false },
  );
  await ensureRegistryReady(settings, { engine: createEngine(), logger: createMemoryLogger() });
});

afterAll(() => {
  spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  rmSync(join(DAEMON_CERTS_DIR, ws.address), { recursive: true, force: true });
  ws.cleanup();
});

const docker = (...args: string[]) =>
  spawnSync('docker', ['--config', ws.dockerConfig, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

describe('docker push and pull through the daemon', () => {
  it('works with the CA in certs.d, logged in through a credential helper by the real docker login', async () => {
    const tar = join(ws.root, 'probe.tar');
    mkdirSync(join(ws.root, 'probe'));
    writeFileSync(join(ws.root, 'probe', 'hello.txt'), `probe ${process.pid}\n`);
    execFileSync('tar', ['-cf', tar, '-C', join(ws.root, 'probe'), 'hello.txt']);
    expect(docker('import', tar, image).status).toBe(0);

    const trust = await ensureDaemonTrust({
      certsDir: DAEMON_CERTS_DIR,
      address: ws.address,
      caPem: ws.ca.certPem,
      caDisplayPath: 'infra/ca/homeCA.pem',
    });
    expect(trust.changed).toBe(true);
    writeFileSync(join(ws.dockerConfig, 'config.json'), JSON.stringify({ credsStore: 'hftest' }));
    const loginOptions = {
      configDir: ws.dockerConfig,
      address: ws.address,
      env: { ...process.env, ...env, DOCKER_CONFIG: ws.dockerConfig },
      run: runCommand,
    };
    const login = await ensureDockerLogin({
      ...loginOptions,
      credentials: { username: 'homefaas', password: ws.password },
    });
    expect(login).toMatchObject({
      changed: true,
      detail: expect.stringContaining('credential helper hftest'),
    });
    expect(await readDockerLogin(loginOptions)).toEqual({ username: 'homefaas', password: ws.password });

    const push = docker('push', image);
    expect(push.stderr).toBe('');
    expect(push.status).toBe(0);
    expect(docker('rmi', image).status).toBe(0);
    const pull = docker('pull', image);
    expect(pull.status).toBe(0);
    expect(docker('image', 'inspect', image).status).toBe(0);

    const client = createRegistryClient({
      baseUrl: `https://${ws.address}`,
      ca: ws.ca.certPem,
      auth: { username: 'homefaas', password: ws.password },
    });
    expect(await client.tags('homefaas-itg/probe')).toEqual([String(process.pid)]);
    await client.close();
  });
});
