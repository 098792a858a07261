import { describe, expect, it } from 'vitest';
import { isFaasNetesCe } from './system-info';

const info = (provider: string, orchestration: string) => ({ provider: { provider, orchestration } });

describe('isFaasNetesCe', () => {
  it.each([
    ['faas-netes-ce', 'kubernetes', true],
    ['FAAS-NETES-CE', 'kubernetes', true],
    ['faasd-ce', 'containerd', false],
    ['faasd', 'containerd', false],
    ['openfaas-operator', 'kubernetes', false],
    ['faas-netes', 'kubernetes', false],
  ])('%s on %s → %s', (provider, orchestration, expected) => {
    expect(isFaasNetesCe(info(provider, orchestration))).toBe(expected);
  });
});
