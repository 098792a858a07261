import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from './engine';

const dir = mkdtempSync(join(tmpdir(), 'homefaas-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureRegistryContainer', () => {
  it('refuses an image that is not a reference before asking Docker anything', async () => {
    const engine = createEngine({ socketPath: join(dir, 'no-docker.sock') });
    const error = await engine
      .ensureRegistryContainer({
        name: 'docker-registry',
        image: 'registry:2\n    privileged: true',
        env: {},
        mounts: [],
        network: 'host',
        ports: [5000],
      })
      .catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_IMAGE_REFERENCE')).toBe(true);
    expect((error as Error).message).toBe(
      'The image of container docker-registry "registry:2\\n    privileged: true" is not an image reference.',
    );
  });
});
