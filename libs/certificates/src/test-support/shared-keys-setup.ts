import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * Vitest global setup of a test run: a private folder (0700) where the run's shared RSA keys are kept
 * (see `shared-keys.ts`), removed when the run ends. The keys never outlive the run. Tests only.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'homefaas-test-keys-'));
  project.provide('sharedKeysDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
