import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REGISTRY_DIR, registryContainerSpec } from '../../lib/registry-layout';
import { renderComposeFile, UI_IMAGE } from './compose-file';

const input = {
  host: 'docker-registry.home.lan',
  port: 5000,
  container: 'docker-registry',
  image: 'registry:2',
  ui: false,
};

interface ComposeService {
  image: string;
  container_name: string;
  restart: string;
  ports: string[];
  environment: Record<string, string>;
  volumes: string[];
  depends_on?: string[];
}

function services(text: string): { registry: ComposeService; 'registry-ui'?: ComposeService } {
  return (parse(text) as { services: { registry: ComposeService; 'registry-ui'?: ComposeService } }).services;
}

describe('renderComposeFile', () => {
  it('runs registry:2 with TLS, htpasswd, the data volume and restart always', () => {
    const registry = services(renderComposeFile(input)).registry;
    expect(registry).toEqual({
      image: 'registry:2',
      container_name: 'docker-registry',
      restart: 'always',
      ports: ['5000:5000'],
      environment: {
        REGISTRY_HTTP_ADDR: ':5000',
        REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/docker-registry.home.lan.crt',
        REGISTRY_HTTP_TLS_KEY: '/certs/docker-registry.home.lan.key',
        REGISTRY_AUTH: 'htpasswd',
        REGISTRY_AUTH_HTPASSWD_REALM: 'Registry Realm',
        REGISTRY_AUTH_HTPASSWD_PATH: '/auth/registry.password',
      },
      volumes: ['./data:/var/lib/registry', './auth:/auth:ro', './certs:/certs:ro'],
    });
  });

  it('gives the container registry-up creates exactly the compose service image, mounts and environment', () => {
    const root = '/srv/ws';
    const registry = services(renderComposeFile({ ...input, port: 5443, host: 'r.home.lan' })).registry;
    const spec = registryContainerSpec({
      root,
      host: 'r.home.lan',
      port: 5443,
      container: 'docker-registry',
      image: 'registry:2',
      network: 'host',
    });
    expect(spec.image).toBe(registry.image);
    expect(spec.name).toBe(registry.container_name);
    expect(spec.env).toEqual(registry.environment);
    const fromCompose = registry.volumes.map((volume) => {
      const [source = '', target = '', mode] = volume.split(':');
      return { source: join(root, REGISTRY_DIR, source), target, readOnly: mode === 'ro' };
    });
    expect(spec.mounts).toEqual(fromCompose);
  });

  it('adds the web UI, proxied to the registry over the compose network, only with ui', () => {
    expect(services(renderComposeFile(input))['registry-ui']).toBeUndefined();
    const ui = services(renderComposeFile({ ...input, ui: true }))['registry-ui'];
    expect(ui).toMatchObject({
      image: UI_IMAGE,
      restart: 'always',
      ports: ['8080:80'],
      depends_on: ['registry'],
      environment: {
        NGINX_PROXY_PASS_URL: 'https://registry:5000',
        REGISTRY_SECURED: 'true',
        SINGLE_REGISTRY: 'true',
        PULL_URL: 'docker-registry.home.lan:5000',
      },
    });
  });
});
