import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  renderContainerdHosts,
  renderFaasdDockerConfig,
  renderK3sRegistries,
  renderPullSecret,
  renderServiceAccountPatch,
} from './render';

const REGISTRY = { address: 'reg.lab:5000', username: 'homefaas', password: 'p@ss: "quoted" #not-a-comment' };
const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

describe('node-side files', () => {
  it('faasd config.json holds base64(user:password) for host:port', () => {
    const config = JSON.parse(renderFaasdDockerConfig(REGISTRY));
    expect(Object.keys(config.auths)).toEqual(['reg.lab:5000']);
    expect(decode(config.auths['reg.lab:5000'].auth)).toBe(`homefaas:${REGISTRY.password}`);
  });

  it('k3s registries.yaml has the credentials and the CA file, surviving YAML quoting', () => {
    expect(parse(renderK3sRegistries(REGISTRY, '/etc/ssl/certs/homeCA.pem'))).toEqual({
      configs: {
        'reg.lab:5000': {
          auth: { username: 'homefaas', password: REGISTRY.password },
          tls: { ca_file: '/etc/ssl/certs/homeCA.pem' },
        },
      },
    });
  });

  it('containerd hosts.toml names the server and the CA', () => {
    expect(renderContainerdHosts('reg.lab:5000', '/etc/containerd/certs.d/reg.lab:5000/homeCA.pem')).toBe(
      [
        'server = "https://reg.lab:5000"',
        '',
        '[host."https://reg.lab:5000"]',
        '  capabilities = ["pull", "resolve"]',
        '  ca = "/etc/containerd/certs.d/reg.lab:5000/homeCA.pem"',
        '',
      ].join('\n'),
    );
  });

  it('the pull secret is what kubectl create secret docker-registry makes', () => {
    const secret = parse(renderPullSecret(REGISTRY, 'homefaas-registry', 'openfaas-fn'));
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'homefaas-registry', namespace: 'openfaas-fn' },
      type: 'kubernetes.io/dockerconfigjson',
    });
    const dockerConfig = JSON.parse(decode(secret.data['.dockerconfigjson']));
    expect(dockerConfig.auths['reg.lab:5000']).toEqual({
      username: 'homefaas',
      password: REGISTRY.password,
      auth: Buffer.from(`homefaas:${REGISTRY.password}`).toString('base64'),
    });
  });

  it('the service account patch lists the pull secret', () => {
    expect(parse(renderServiceAccountPatch('homefaas-registry'))).toEqual({
      imagePullSecrets: [{ name: 'homefaas-registry' }],
    });
  });
});
