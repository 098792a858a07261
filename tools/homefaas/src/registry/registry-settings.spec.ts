import { parseHomefaasConfig } from '@homefaas/config';
import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { resolveRegistrySettings } from './registry-settings';

const root = '/srv/ws';
const config = parseHomefaasConfig(
  JSON.stringify({
    registry: { host: 'reg.home.lan', port: 5443, user: 'pusher', ips: ['192.168.1.20'] },
    docker: { certsDir: 'tmp/certs.d' },
  }),
);

describe('resolveRegistrySettings', () => {
  it('takes homefaas.json, and each option over it', () => {
    const fromConfig = resolveRegistrySettings(
      {},
      { root, config, env: { HOME: '/home/me' }, platform: 'linux' },
    );
    expect(fromConfig).toMatchObject({
      host: 'reg.home.lan',
      port: 5443,
      address: 'reg.home.lan:5443',
      user: 'pusher',
      ips: ['192.168.1.20'],
      container: 'docker-registry',
      image: 'registry:2',
      network: 'host',
      recreate: false,
      changePassword: false,
      answerTimeoutMs: 60_000,
      daemonCertsDir: '/srv/ws/tmp/certs.d',
      dockerConfigDir: '/home/me/.docker',
      serverCertDisplayDir: 'infra/registry/certs',
    });
    // No --days: a reissued registry certificate keeps its own validity.
    expect(fromConfig).not.toHaveProperty('certDays');
    expect(fromConfig.files.cert).toBe('/srv/ws/infra/registry/certs/reg.home.lan.crt');
    expect(fromConfig.ca.certPath).toBe('/srv/ws/infra/ca/homeCA.pem');
    expect(Object.isFrozen(fromConfig)).toBe(true);

    const overridden = resolveRegistrySettings(
      {
        host: 'other.home.lan',
        port: 5001,
        user: 'me',
        container: 'c',
        image: 'registry:2.8',
        recreate: true,
        changePassword: true,
        certsDir: '/etc/x',
        dockerConfig: 'cfg',
        timeout: 2.5,
        days: 90,
      },
      { root, config, env: {}, platform: 'darwin' },
    );
    expect(overridden).toMatchObject({
      address: 'other.home.lan:5001',
      user: 'me',
      container: 'c',
      image: 'registry:2.8',
      network: 'bridge',
      recreate: true,
      changePassword: true,
      daemonCertsDir: '/etc/x',
      dockerConfigDir: '/srv/ws/cfg',
      answerTimeoutMs: 2500,
      certDays: 90,
    });
  });

  it('uses DOCKER_CONFIG and passes it pinned to the commands it runs', () => {
    const settings = resolveRegistrySettings(
      {},
      { root, config, env: { DOCKER_CONFIG: '/cfg', PATH: '/bin' } },
    );
    expect(settings.dockerConfigDir).toBe('/cfg');
    expect(settings.commandEnv).toEqual({ DOCKER_CONFIG: '/cfg', PATH: '/bin' });
  });

  it('reads secrets only when asked, from the environment it was given', async () => {
    const env: NodeJS.ProcessEnv = { REGISTRY_PASSWORD: 'pw-1' };
    const settings = resolveRegistrySettings({}, { root, config, env, interactive: false });
    env.REGISTRY_PASSWORD = 'pw-2';
    // Resolved lazily: a run that issues nothing never needs the CA passphrase.
    expect(await settings.secrets.registryPassword()).toBe('pw-2');
    const error = await settings.secrets.caPassphrase().catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_SECRET_MISSING')).toBe(true);
  });

  it('resolves no password (rather than prompting) when none is set and it may not ask', async () => {
    const settings = resolveRegistrySettings({}, { root, config, env: {}, interactive: false });
    expect(await settings.secrets.registryPassword()).toBeUndefined();
    expect(await settings.secrets.askRegistryPassword()).toBeUndefined();
  });

  it.each([
    [{ port: 70000 }, 'port 70000 is not a TCP port.'],
    [{ timeout: 0 }, 'timeout 0 is not a positive number of seconds.'],
  ])('refuses %o', (options, message) => {
    expect(() => resolveRegistrySettings(options, { root, config, env: {} })).toThrow(message);
  });

  it('refuses a host that is not a DNS name', () => {
    const error = (() => {
      try {
        resolveRegistrySettings({ host: 'bad host' }, { root, config, env: {} });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isHomefaasError(error)).toBe(true);
    expect((error as Error).message).toContain('host');
  });
});
