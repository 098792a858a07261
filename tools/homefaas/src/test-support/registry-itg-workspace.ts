import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CaMaterial, createCa, encryptPrivateKey } from '@homefaas/certificates';

/**
 * A throw-away workspace for the registry integration tests and the benchmark: a CA, a unique container
 * name and port, and its own certs.d and Docker config folders, so nothing on the machine is clobbered.
 */
export interface RegistryTestWorkspace {
  root: string;
  ca: CaMaterial;
  passphrase: string;
  password: string;
  port: number;
  container: string;
  certsDir: string;
  dockerConfig: string;
  /** `docker-registry.home.lan:<port>`. */
  address: string;
  /** Removes the container (by name) and the folder. */
  cleanup(): void;
}

/** Where this repository is (the workspace the plugin and its node_modules come from). */
export const REPOSITORY_ROOT = resolve(__dirname, '../../../..');

/** A free TCP port in 5200-5899 (the registry's neighbourhood), chosen at random. */
export async function freeRegistryPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 5200 + Math.floor(Math.random() * 700);
    const free = await new Promise<boolean>((done) => {
      const probe = createServer();
      probe.once('error', () => done(false));
      probe.listen(port, '0.0.0.0', () => probe.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 5200-5899');
}

/** Creates the workspace; `withNx` adds what `npx nx run infra:...` needs (the plugin, infra/project.json). */
export async function createRegistryTestWorkspace(
  label: string,
  options: { withNx?: boolean } = {},
): Promise<RegistryTestWorkspace> {
  const root = mkdtempSync(join(tmpdir(), `homefaas-${label}-`));
  const ca = await createCa({
    commonName: `homefaas ${label} CA`,
    permittedDomains: ['home.lan'],
    permittedIps: ['127.0.0.0/8'],
    days: 3650,
    keyBits: 3072,
  });
  const passphrase = `passphrase of ${label}`;
  const password = `pw-${label}-${process.pid}`;
  mkdirSync(join(root, 'infra/ca'), { recursive: true });
  writeFileSync(join(root, 'infra/ca/homeCA.pem'), ca.certPem);
  writeFileSync(join(root, 'infra/ca/homeCA.key'), encryptPrivateKey(ca.keyPem, passphrase), { mode: 0o600 });
  writeFileSync(
    join(root, 'homefaas.json'),
    `${JSON.stringify({ registry: { ips: ['127.0.0.1'] } }, null, 2)}\n`,
  );
  if (options.withNx) linkNxWorkspace(root);
  const port = await freeRegistryPort();
  const container = `homefaas-itg-${label}-${process.pid}`;
  return {
    root,
    ca,
    passphrase,
    password,
    port,
    container,
    certsDir: join(root, 'certs.d'),
    dockerConfig: join(root, 'docker-config'),
    address: `docker-registry.home.lan:${port}`,
    cleanup() {
      spawnSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The HTTP status curl gets for `url`, trusting only `caFile`; with `user` as `name:password` when given. */
export function curlStatus(url: string, caFile: string, user?: string): number {
  const args = [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--cacert',
    caFile,
    ...(user ? ['-u', user] : []),
    url,
  ];
  return Number(execFileSync('curl', args, { encoding: 'utf8' }));
}

function linkNxWorkspace(root: string): void {
  for (const file of ['nx.json', 'package.json', 'tsconfig.base.json']) {
    copyFileSync(join(REPOSITORY_ROOT, file), join(root, file));
  }
  symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(root, 'node_modules'));
  // Nx finds projects by their folders (it does not follow symlinked project folders), so the plugin's
  // manifests are copied and only its sources are linked.
  const plugin = join(root, 'tools/homefaas');
  mkdirSync(plugin, { recursive: true });
  for (const file of ['package.json', 'generators.json', 'executors.json']) {
    copyFileSync(join(REPOSITORY_ROOT, 'tools/homefaas', file), join(plugin, file));
  }
  symlinkSync(join(REPOSITORY_ROOT, 'tools/homefaas/src'), join(plugin, 'src'));
  copyFileSync(join(REPOSITORY_ROOT, 'infra/project.json'), join(root, 'infra/project.json'));
}
