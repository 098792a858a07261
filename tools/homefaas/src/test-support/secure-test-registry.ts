import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { setUser } from '@homefaas/htpasswd';
import { createRegistryClient, type RegistryClient } from '@homefaas/registry-client';
import { freePort } from '../../../../test/support/free-port';
import { createTestCa } from '../../../../test/support/openssl-pki';
import { registryContainerArgs } from '../../../../test/support/registry-container';

/** A real `registry:2` with TLS from a throwaway CA and htpasswd auth, on the host network, for tests. */
export interface SecureTestRegistry {
  /** `docker-registry.home.lan:<port>`. */
  address: string;
  baseUrl: string;
  ca: string;
  username: string;
  password: string;
  /** process.env with `DOCKER_CONFIG` pointing at a config logged in to this registry. */
  env: NodeJS.ProcessEnv;
  client(): RegistryClient;
  /** Removes the container, the daemon's trust of the CA and the temporary files. */
  stop(): Promise<void>;
}

/** Options of {@link startSecureTestRegistry}. */
export interface SecureTestRegistryOptions {
  /** Container name; unique per test file so parallel runs never collide. */
  name: string;
  host?: string;
  image?: string;
  certsDir?: string;
}

/**
 * Starts a registry the way a home lab runs one: TLS signed by a private CA (openssl CLI), bcrypt htpasswd,
 * the CA trusted by the daemon through certs.d (no restart), and `docker login` into a temporary DOCKER_CONFIG.
 */
export async function startSecureTestRegistry(
  options: SecureTestRegistryOptions,
): Promise<SecureTestRegistry> {
  const host = options.host ?? 'docker-registry.home.lan';
  const image = options.image ?? 'registry:2';
  const dir = await mkdtemp(join(tmpdir(), `${options.name}-`));
  const port = await freePort();
  const address = `${host}:${port}`;
  const trustDir = join(options.certsDir ?? '/etc/docker/certs.d', address);
  const username = 'homefaas';
  const password = randomBytes(18).toString('base64url');
  const env = { ...process.env, DOCKER_CONFIG: join(dir, 'docker') };
  const stop = async () => {
    await runCommand('docker', ['rm', '-f', options.name]);
    await rm(trustDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await makeCertificates(dir, host);
    await mkdir(join(dir, 'auth'));
    await writeFile(join(dir, 'auth', 'htpasswd'), setUser('', username, password));
    // The registry process may not run as the file owner.
    await chmod(join(dir, 'certs', 'server.key'), 0o644);
    const ca = await readFile(join(dir, 'certs', 'ca.crt'), 'utf8');
    await mkdir(trustDir, { recursive: true });
    await writeFile(join(trustDir, 'ca.crt'), ca);
    await mkdir(env.DOCKER_CONFIG, { recursive: true });
    await must(
      runCommand(
        'docker',
        registryContainerArgs({
          name: options.name,
          port,
          certsDir: join(dir, 'certs'),
          authDir: join(dir, 'auth'),
          image,
        }),
      ),
    );
    const baseUrl = `https://${address}`;
    const client = () => createRegistryClient({ baseUrl, ca, auth: { username, password } });
    await waitForRegistry(client);
    await must(
      runCommand('docker', ['login', address, '--username', username, '--password-stdin'], {
        env,
        input: password,
        secrets: [password],
      }),
    );
    return { address, baseUrl, ca, username, password, env, client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A throwaway CA (the real openssl CLI) and a server certificate for `host` and 127.0.0.1, in `dir/certs`. */
async function makeCertificates(dir: string, host: string): Promise<void> {
  const certs = join(dir, 'certs');
  await mkdir(certs);
  const ca = createTestCa(dir, 'ca');
  const server = ca.issue(host, [`DNS:${host}`, 'IP:127.0.0.1']);
  await writeFile(join(certs, 'ca.crt'), ca.cert);
  await writeFile(join(certs, 'server.crt'), server.cert);
  await writeFile(join(certs, 'server.key'), server.key);
}

async function waitForRegistry(client: () => RegistryClient): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last: unknown;
  while (Date.now() < deadline) {
    const registry = client();
    try {
      if ((await registry.ping()).authenticated) return;
    } catch (error) {
      last = error;
    } finally {
      await registry.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The test registry did not answer in 30 s: ${String(last)}`);
}

async function must(result: Promise<{ exitCode: number; command: string; output: string }>): Promise<void> {
  const done = await result;
  if (done.exitCode !== 0) {
    throw new Error(`${done.command} failed (exit ${done.exitCode}):\n${done.output}`);
  }
}
