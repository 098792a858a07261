/** Where a test registry's files are, and where it listens. */
export interface RegistryContainerOptions {
  /** Container name, unique per test file. */
  name: string;
  /** Listens on 127.0.0.1:<port> on the host network. */
  port: number;
  /** Holds `server.crt` and `server.key`. */
  certsDir: string;
  /** Holds `htpasswd`. */
  authDir: string;
  image?: string;
}

/** The realm of the registry's Basic challenge. */
export const REGISTRY_REALM = 'Registry Realm';

/**
 * `docker run` arguments of the real Distribution registry (`registry:2`) the way a home lab runs it: TLS from
 * the given certificate, htpasswd auth, on the host network.
 */
export function registryContainerArgs(options: RegistryContainerOptions): string[] {
  const settings = {
    REGISTRY_HTTP_ADDR: `127.0.0.1:${options.port}`,
    REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/server.crt',
    REGISTRY_HTTP_TLS_KEY: '/certs/server.key',
    REGISTRY_AUTH: 'htpasswd',
    REGISTRY_AUTH_HTPASSWD_REALM: REGISTRY_REALM,
    REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd',
  };
  return [
    'run',
    '-d',
    '--name',
    options.name,
    '--network',
    'host',
    '-v',
    `${options.certsDir}:/certs:ro`,
    '-v',
    `${options.authDir}:/auth:ro`,
    ...Object.entries(settings).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
    options.image ?? 'registry:2',
  ];
}
