import forge from 'node-forge';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateRsaKeyPair, randomSerialNumber, usesNativeKeyGeneration, validity } from './keygen';

afterEach(() => vi.restoreAllMocks());

describe('generateRsaKeyPair', () => {
  it("takes node-forge's native path: Node generates the key and forge only parses its PEM", async () => {
    // forge's pure-JavaScript generator never parses a PEM; its native branch parses Node's output once.
    const parse = vi.spyOn(forge.pki, 'privateKeyFromPem');
    const keys = await generateRsaKeyPair(2048);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(keys.privateKey.n.bitLength()).toBe(2048);
    expect(keys.publicKey.e.toString(16)).toBe('10001');
    expect(usesNativeKeyGeneration()).toBe(true);
  });

  it('usesNativeKeyGeneration notices when forge is forced to pure JavaScript', () => {
    const options = (forge as unknown as { options: { usePureJavaScript: boolean } }).options;
    options.usePureJavaScript = true;
    try {
      expect(usesNativeKeyGeneration()).toBe(false);
    } finally {
      options.usePureJavaScript = false;
    }
  });
});

describe('randomSerialNumber', () => {
  it('is 16 bytes, positive, minimally encoded and different each time', () => {
    const serials = Array.from({ length: 2000 }, randomSerialNumber);
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-9a-f]{32}$/);
      const first = Number.parseInt(serial.slice(0, 2), 16);
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThan(0x80);
    }
    expect(new Set(serials).size).toBe(serials.length);
  });
});

describe('validity', () => {
  it.each([1, 397, 825, 3650])('spans exactly %i days, starting an hour back', (days) => {
    const now = new Date('2030-01-01T12:00:00.250Z');
    const { notBefore, notAfter } = validity(now, days);
    expect(notBefore.toISOString()).toBe('2030-01-01T11:00:00.000Z');
    expect(notAfter.getTime() - notBefore.getTime()).toBe(days * 86_400_000);
  });
});
