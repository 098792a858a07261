import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { resolveRegistryHost } from './host-resolution';

// What getaddrinfo reports for a name neither /etc/hosts nor DNS knows (no DNS query is sent from tests).
const notFound = async (host: string) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
};

describe('resolveRegistryHost', () => {
  it('resolves a name through the system resolver (/etc/hosts first)', async () => {
    expect(['127.0.0.1', '::1']).toContain(await resolveRegistryHost('localhost'));
  });

  it('returns an IP address as it is, without a lookup', async () => {
    expect(await resolveRegistryHost('192.168.1.20', { lookup: notFound })).toBe('192.168.1.20');
  });

  it('says the name does not resolve and gives the /etc/hosts line and the router alternative', async () => {
    const error = await resolveRegistryHost('docker-registry.home.lan', { lookup: notFound }).catch(
      (e: unknown) => e,
    );
    expect(isHomefaasError(error, 'ERR_REGISTRY_HOST_UNRESOLVED')).toBe(true);
    if (!isHomefaasError(error)) throw error;
    expect(error.message).toBe('The registry host docker-registry.home.lan does not resolve (ENOTFOUND).');
    expect(error.hint).toContain('"127.0.0.1 docker-registry.home.lan"');
    expect(error.hint).toContain('/etc/hosts');
    expect(error.hint).toContain('router');
  });

  it("names the registry machine's address in the /etc/hosts line when it is known", async () => {
    const error = await resolveRegistryHost('docker-registry.home.lan', {
      lookup: notFound,
      suggestedAddress: '192.168.1.20',
    }).catch((e: unknown) => e);
    expect(isHomefaasError(error) && error.hint).toContain('"192.168.1.20 docker-registry.home.lan"');
  });

  it('lets other failures through unchanged', async () => {
    const failure = Object.assign(new Error('boom'), { code: 'EMFILE' });
    const error = await resolveRegistryHost('docker-registry.home.lan', {
      lookup: async () => {
        throw failure;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(failure);
  });
});
