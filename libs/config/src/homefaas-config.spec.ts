import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { formatHomefaasConfig, parseHomefaasConfig, registryAddress } from './homefaas-config';

function failure(text: string): { code: string; message: string } {
  try {
    parseHomefaasConfig(text);
  } catch (error) {
    if (isHomefaasError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected parseHomefaasConfig to throw');
}

describe('parseHomefaasConfig', () => {
  it('fills every default when the file does not exist', () => {
    expect(parseHomefaasConfig(undefined)).toEqual({
      registry: {
        host: 'docker-registry.home.lan',
        port: 5000,
        user: 'homefaas',
        container: 'docker-registry',
        image: 'registry:2',
        ips: [],
        ui: false,
      },
      ca: { certPath: 'infra/ca/homeCA.pem', keyPath: 'infra/ca/homeCA.key' },
      builder: { driver: 'docker', name: 'homefaas' },
      docker: { certsDir: '/etc/docker/certs.d' },
    });
  });

  it('keeps what the file sets and defaults the rest of each section', () => {
    const config = parseHomefaasConfig(
      JSON.stringify({
        registry: { host: 'reg.lab', port: 5443, ips: ['192.168.1.10', 'fd00::10'], ui: true },
        builder: { driver: 'docker-container' },
        gateway: { url: 'https://gw.lab:8080' },
      }),
    );
    expect(config.registry).toEqual({
      host: 'reg.lab',
      port: 5443,
      user: 'homefaas',
      container: 'docker-registry',
      image: 'registry:2',
      ips: ['192.168.1.10', 'fd00::10'],
      ui: true,
    });
    expect(config.builder).toEqual({ driver: 'docker-container', name: 'homefaas' });
    expect(config.gateway).toEqual({ url: 'https://gw.lab:8080' });
    expect(config.ca.certPath).toBe('infra/ca/homeCA.pem');
  });

  it('lists every wrong field with its path, what was expected and what was found', () => {
    const { code, message } = failure(
      JSON.stringify({
        registry: { port: '5000', hots: 'x', ips: ['not-an-ip'] },
        builder: { driver: 'kubernetes' },
        gateway: { url: 'gw.lab:8080' },
        extra: true,
      }),
    );
    expect(code).toBe('ERR_CONFIG_INVALID');
    expect(message.split('\n')).toEqual([
      'homefaas.json is invalid:',
      '  - extra: expected one of the known fields ($schema, registry, ca, builder, docker, gateway), got an unknown field',
      '  - registry.hots: expected one of the known fields (host, port, user, container, image, ips, ui), got an unknown field',
      '  - registry.port: expected an integer, got "5000"',
      '  - registry.ips.0: expected an IPv4 or IPv6 address, got "not-an-ip"',
      '  - builder.driver: expected one of "docker", "docker-container", got "kubernetes"',
      '  - gateway.url: expected an http:// or https:// URL, got "gw.lab:8080"',
    ]);
  });

  it.each([
    [
      'port out of range',
      { registry: { port: 70000 } },
      'registry.port: expected a TCP port from 1 to 65535, got 70000',
    ],
    [
      'user with a colon',
      { registry: { user: 'a:b' } },
      `registry.user: expected a user name without ":" or spaces, got "a:b"`,
    ],
    [
      'host with a space',
      { registry: { host: 'my host' } },
      'registry.host: expected a DNS name such as docker-registry.home.lan, got "my host"',
    ],
    ['empty cert path', { ca: { certPath: '' } }, 'ca.certPath: expected a non-empty string, got ""'],
    ['a list at the top', [], '(root): expected a map'],
  ])('rejects %s', (_name, value, line) => {
    expect(failure(JSON.stringify(value)).message).toContain(line);
  });

  it('names bad JSON with its own code', () => {
    const { code, message } = failure('{"registry": ');
    expect(code).toBe('ERR_CONFIG_PARSE');
    expect(message).toMatch(/^homefaas\.json is not valid JSON: /);
  });

  it('uses the source name given', () => {
    expect(() => parseHomefaasConfig('{"ui": 1}', 'custom.json')).toThrow(/^custom\.json is invalid/);
  });
});

describe('registryAddress', () => {
  it('is host:port', () => {
    expect(registryAddress(parseHomefaasConfig('{"registry":{"host":"reg.lab","port":443}}'))).toBe(
      'reg.lab:443',
    );
  });
});

describe('formatHomefaasConfig', () => {
  it('writes sections and keys in a fixed order, 2-space indented, with a trailing newline', () => {
    const text = formatHomefaasConfig({
      gateway: { url: 'https://gw.lab:8080' },
      registry: { port: 5443, host: 'reg.lab' },
      builder: { name: 'b', driver: 'docker-container' },
    });
    expect(text).toBe(
      [
        '{',
        '  "registry": {',
        '    "host": "reg.lab",',
        '    "port": 5443',
        '  },',
        '  "builder": {',
        '    "driver": "docker-container",',
        '    "name": "b"',
        '  },',
        '  "gateway": {',
        '    "url": "https://gw.lab:8080"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through parseHomefaasConfig', () => {
    const resolved = parseHomefaasConfig(undefined);
    expect(parseHomefaasConfig(formatHomefaasConfig(resolved))).toEqual(resolved);
  });
});
