import { describe, expect, it } from 'vitest';
import { knownCaFiles, resolveCaLocation } from './ca-location';

describe('resolveCaLocation', () => {
  it('reads homefaas.json ca paths, relative to the root or absolute, and keeps them for messages', () => {
    expect(resolveCaLocation('/ws')).toEqual({
      root: '/ws',
      certPath: '/ws/infra/ca/homeCA.pem',
      keyPath: '/ws/infra/ca/homeCA.key',
      certDisplayPath: 'infra/ca/homeCA.pem',
      keyDisplayPath: 'infra/ca/homeCA.key',
    });
    expect(
      resolveCaLocation('/ws', { certPath: 'infra/pki/root.pem', keyPath: '/secure/root.key' }),
    ).toMatchObject({
      certPath: '/ws/infra/pki/root.pem',
      keyPath: '/secure/root.key',
      keyDisplayPath: '/secure/root.key',
    });
  });

  it('refuses a key and a certificate in one file', () => {
    expect(() => resolveCaLocation('/ws', { certPath: 'ca.pem', keyPath: './ca.pem' })).toThrow(
      expect.objectContaining({ code: 'ERR_CA_PATHS' }),
    );
  });

  it('knows the configured files, then the defaults, each once', () => {
    const moved = resolveCaLocation('/ws', {
      certPath: 'infra/pki/root.pem',
      keyPath: 'infra/ca/homeCA.key',
    });
    expect(knownCaFiles(moved).map((file) => [file.shown, file.role, file.configured])).toEqual([
      ['infra/pki/root.pem', 'certificate', true],
      ['infra/ca/homeCA.key', 'key', true],
      ['infra/ca/homeCA.pem', 'certificate', false],
    ]);
  });
});
