import { stringify } from 'yaml';

/** Registry address and push credentials, as the node pulls with them. */
export interface RegistryCredentials {
  /** `host:port`. */
  address: string;
  username: string;
  password: string;
}

const basic = (username: string, password: string) =>
  Buffer.from(`${username}:${password}`).toString('base64');

/**
 * faasd's `/var/lib/faasd/.docker/config.json`: the Docker config format faasd-provider reads to pull
 * function images from a registry that needs credentials.
 */
export function renderFaasdDockerConfig(registry: RegistryCredentials): string {
  const config = { auths: { [registry.address]: { auth: basic(registry.username, registry.password) } } };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * k3s's `/etc/rancher/k3s/registries.yaml`: credentials and the CA for pulls from the registry
 * (https://docs.k3s.io/installation/private-registry).
 */
export function renderK3sRegistries(registry: RegistryCredentials, caFile: string): string {
  return stringify({
    configs: {
      [registry.address]: {
        auth: { username: registry.username, password: registry.password },
        tls: { ca_file: caFile },
      },
    },
  });
}

/**
 * containerd's `certs.d/<host:port>/hosts.toml`: the registry's CA for pulls (no credentials: those come
 * from the orchestrator). https://github.com/containerd/containerd/blob/main/docs/hosts.md
 */
export function renderContainerdHosts(address: string, caFile: string): string {
  return [
    `server = "https://${address}"`,
    '',
    `[host."https://${address}"]`,
    '  capabilities = ["pull", "resolve"]',
    `  ca = ${JSON.stringify(caFile)}`,
    '',
  ].join('\n');
}

/**
 * A `kubernetes.io/dockerconfigjson` Secret, the same object `kubectl create secret docker-registry`
 * makes, so functions in `namespace` can pull from the registry.
 */
export function renderPullSecret(registry: RegistryCredentials, name: string, namespace: string): string {
  const dockerConfig = {
    auths: {
      [registry.address]: {
        username: registry.username,
        password: registry.password,
        auth: basic(registry.username, registry.password),
      },
    },
  };
  return stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify(dockerConfig)).toString('base64') },
  });
}

/** The patch that makes a service account use the pull secret (it replaces the account's list). */
export function renderServiceAccountPatch(secretName: string): string {
  return stringify({ imagePullSecrets: [{ name: secretName }] });
}
