import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  type ContainerSpec,
  type ContainerState,
  containerCreateOptions,
  containerDifferences,
  readContainerState,
} from './container-spec';
import recorded from './fixtures/registry-inspect.json';

// `docker inspect` of a registry container created by ensureRegistryContainer on Docker 26 (paths renamed).
const inspect = recorded as unknown as Dockerode.ContainerInspectInfo;
const ROOT = '/srv/homefaas/infra/registry';

const wanted: ContainerSpec = {
  name: 'docker-registry',
  image: 'registry:2',
  env: {
    REGISTRY_HTTP_ADDR: ':5101',
    REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/docker-registry.home.lan.crt',
    REGISTRY_HTTP_TLS_KEY: '/certs/docker-registry.home.lan.key',
    REGISTRY_AUTH: 'htpasswd',
    REGISTRY_AUTH_HTPASSWD_REALM: 'Registry Realm',
    REGISTRY_AUTH_HTPASSWD_PATH: '/auth/registry.password',
  },
  mounts: [
    { source: `${ROOT}/data`, target: '/var/lib/registry', readOnly: false },
    { source: `${ROOT}/auth`, target: '/auth', readOnly: true },
    { source: `${ROOT}/certs`, target: '/certs', readOnly: true },
  ],
  network: 'host',
  ports: [5101],
};

describe('readContainerState', () => {
  it('reads name, image, state, environment, mounts, network and restart policy from docker inspect', () => {
    const state = readContainerState(inspect);
    expect(state).toMatchObject({
      name: 'docker-registry',
      image: 'registry:2',
      status: 'running',
      running: true,
      networkMode: 'host',
      restartPolicy: 'always',
    });
    expect(state.env.REGISTRY_AUTH).toBe('htpasswd');
    expect(state.env.PATH).toContain('/usr/bin');
    expect(state.mounts).toEqual([
      { type: 'bind', source: `${ROOT}/data`, target: '/var/lib/registry', readOnly: false },
      { type: 'bind', source: `${ROOT}/auth`, target: '/auth', readOnly: true },
      { type: 'bind', source: `${ROOT}/certs`, target: '/certs', readOnly: true },
    ]);
  });
});

describe('containerDifferences', () => {
  const actual = readContainerState(inspect);
  const withMounts = (mounts: ContainerState['mounts']): ContainerState => ({ ...actual, mounts });
  const cases: Array<[string, ContainerState, string[]]> = [
    ['the same container (the image PATH is not compared)', actual, []],
    [
      'another network mode and restart policy',
      { ...actual, networkMode: 'bridge', restartPolicy: 'no' },
      [],
    ],
    ['a stopped container', { ...actual, status: 'exited', running: false }, []],
    ['another image', { ...actual, image: 'registry:2.7' }, ['image is registry:2.7, expected registry:2']],
    [
      'a mount missing',
      withMounts(actual.mounts.filter((m) => m.target !== '/auth')),
      [`/auth is not mounted, expected ${ROOT}/auth (read-only)`],
    ],
    [
      'a mount from elsewhere',
      withMounts(actual.mounts.map((m) => (m.target === '/certs' ? { ...m, source: '/etc/certs' } : m))),
      [`/certs comes from /etc/certs, expected ${ROOT}/certs`],
    ],
    [
      'a named volume for the data',
      withMounts(
        actual.mounts.map((m) =>
          m.target === '/var/lib/registry' ? { ...m, type: 'volume', source: '' } : m,
        ),
      ),
      [`/var/lib/registry comes from a volume, expected ${ROOT}/data`],
    ],
    [
      'read-write where read-only is expected',
      withMounts(actual.mounts.map((m) => (m.target === '/auth' ? { ...m, readOnly: false } : m))),
      ['/auth is read-write, expected read-only'],
    ],
    [
      'an extra bind mount',
      withMounts([
        ...actual.mounts,
        { type: 'bind', source: '/x/config.yml', target: '/etc/docker/registry/config.yml', readOnly: true },
      ]),
      ['/etc/docker/registry/config.yml is mounted from /x/config.yml, which is not expected'],
    ],
    [
      'an extra anonymous volume (from the image VOLUME line)',
      withMounts([
        ...actual.mounts,
        { type: 'volume', source: '/var/lib/docker/volumes/abc/_data', target: '/tmp/v', readOnly: false },
      ]),
      [],
    ],
    [
      'an environment variable missing and one different',
      {
        ...actual,
        env: Object.fromEntries(
          Object.entries({ ...actual.env, REGISTRY_AUTH: 'silly' }).filter(
            ([key]) => key !== 'REGISTRY_HTTP_TLS_KEY',
          ),
        ),
      },
      [
        'environment REGISTRY_HTTP_TLS_KEY is not set, expected /certs/docker-registry.home.lan.key',
        'environment REGISTRY_AUTH is silly, expected htpasswd',
      ],
    ],
  ];

  it.each(cases)('%s', (_label, state, expected) => {
    expect(containerDifferences(wanted, state)).toEqual(expected);
  });
});

describe('containerCreateOptions', () => {
  it('creates a host-network container restarted always, with the binds and environment of the spec', () => {
    const options = containerCreateOptions(wanted);
    expect(options).toMatchObject({ name: 'docker-registry', Image: 'registry:2' });
    expect(options.Env).toContain('REGISTRY_AUTH=htpasswd');
    expect(options.HostConfig).toMatchObject({ NetworkMode: 'host', RestartPolicy: { Name: 'always' } });
    expect(options.HostConfig?.PortBindings).toBeUndefined();
    expect(options.HostConfig?.Mounts).toEqual([
      { Type: 'bind', Source: `${ROOT}/data`, Target: '/var/lib/registry', ReadOnly: false },
      { Type: 'bind', Source: `${ROOT}/auth`, Target: '/auth', ReadOnly: true },
      { Type: 'bind', Source: `${ROOT}/certs`, Target: '/certs', ReadOnly: true },
    ]);
  });

  it('publishes the port on the same host port on a bridge network', () => {
    const options = containerCreateOptions({ ...wanted, network: 'bridge' });
    expect(options.ExposedPorts).toEqual({ '5101/tcp': {} });
    expect(options.HostConfig?.PortBindings).toEqual({ '5101/tcp': [{ HostIp: '', HostPort: '5101' }] });
    expect(options.HostConfig?.NetworkMode).toBe('bridge');
  });
});
