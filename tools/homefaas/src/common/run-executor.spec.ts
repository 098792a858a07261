import { createMemoryLogger, HomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { runExecutor } from './run-executor';

describe('runExecutor', () => {
  it('returns success when the body completes', async () => {
    expect(await runExecutor(async () => {}, createMemoryLogger())).toEqual({ success: true });
  });

  it('prints the message and the hint of a HomefaasError and fails', async () => {
    const logger = createMemoryLogger();
    const result = await runExecutor(async () => {
      throw new HomefaasError('ERR_REGISTRY_AUTH', 'Registry answered 401', {
        hint: 'Check REGISTRY_PASSWORD',
      });
    }, logger);
    expect(result).toEqual({ success: false });
    expect(logger.lines).toEqual([
      '✖ Registry answered 401',
      '→ Check REGISTRY_PASSWORD (ERR_REGISTRY_AUTH)',
    ]);
  });
});
