import { join } from 'node:path';
import type { ContainerSpec } from '@homefaas/docker-engine';

/** The registry's folder, relative to the workspace root: what `docker compose up` runs and the container mounts. */
export const REGISTRY_DIR = 'infra/registry';
/** The command that converges the registry, for hints. */
export const REGISTRY_UP_COMMAND = 'npx nx run infra:registry-up';
/** Realm the registry names in its `WWW-Authenticate: Basic` challenge. */
export const REGISTRY_REALM = 'Registry Realm';
/** The folder of infra/registry/ that holds the registry's server certificate and key (mounted at /certs). */
export const REGISTRY_CERT_FOLDER = 'certs';
/** Where the registry keeps its data inside the container (the upstream image's VOLUME). */
const DATA_TARGET = '/var/lib/registry';

/** Files of infra/registry/, relative to its folder (as the compose file names them). */
export function registryRelativeFiles(host: string) {
  return {
    compose: 'docker-compose.yml',
    htpasswd: 'auth/registry.password',
    caCopy: 'ca-certs/homeCA.pem',
    cert: `${REGISTRY_CERT_FOLDER}/${host}.crt`,
    key: `${REGISTRY_CERT_FOLDER}/${host}.key`,
    data: 'data',
  } as const;
}

/** Absolute paths of infra/registry/ in the workspace at `root`. */
export interface RegistryFiles {
  dir: string;
  compose: string;
  htpasswd: string;
  caCopy: string;
  cert: string;
  key: string;
  /** The folder of `cert` and `key`: the registry's server certificate. */
  serverCertDir: string;
  data: string;
}

/** Absolute paths of infra/registry/ for `host` in the workspace at `root`. */
export function registryFiles(root: string, host: string): RegistryFiles {
  const dir = join(root, REGISTRY_DIR);
  const relative = registryRelativeFiles(host);
  return {
    dir,
    compose: join(dir, relative.compose),
    htpasswd: join(dir, relative.htpasswd),
    caCopy: join(dir, relative.caCopy),
    cert: join(dir, relative.cert),
    key: join(dir, relative.key),
    serverCertDir: join(dir, REGISTRY_CERT_FOLDER),
    data: join(dir, relative.data),
  };
}

/**
 * The registry's environment: TLS with our certificate and htpasswd auth
 * (https://distribution.github.io/distribution/about/configuration/ — REGISTRY_<section>_<key>).
 */
export function registryEnvironment(host: string, port: number): Record<string, string> {
  return {
    REGISTRY_HTTP_ADDR: `:${port}`,
    REGISTRY_HTTP_TLS_CERTIFICATE: `/certs/${host}.crt`,
    REGISTRY_HTTP_TLS_KEY: `/certs/${host}.key`,
    REGISTRY_AUTH: 'htpasswd',
    REGISTRY_AUTH_HTPASSWD_REALM: REGISTRY_REALM,
    REGISTRY_AUTH_HTPASSWD_PATH: '/auth/registry.password',
  };
}

/** Bind mounts as the compose file writes them: host folder relative to infra/registry/, target, access. */
export const REGISTRY_MOUNTS = [
  { folder: 'data', target: DATA_TARGET, readOnly: false },
  { folder: 'auth', target: '/auth', readOnly: true },
  { folder: REGISTRY_CERT_FOLDER, target: '/certs', readOnly: true },
] as const;

/** What the registry container must look like: the same image, mounts and environment as the compose file. */
export interface RegistryContainerInput {
  root: string;
  host: string;
  port: number;
  container: string;
  image: string;
  network: 'host' | 'bridge';
}

/** The container spec `ensureRegistryContainer` converges to. */
export function registryContainerSpec(input: RegistryContainerInput): ContainerSpec {
  const dir = join(input.root, REGISTRY_DIR);
  return {
    name: input.container,
    image: input.image,
    env: registryEnvironment(input.host, input.port),
    mounts: REGISTRY_MOUNTS.map((mount) => ({
      source: join(dir, mount.folder),
      target: mount.target,
      readOnly: mount.readOnly,
    })),
    network: input.network,
    ports: [input.port],
  };
}
