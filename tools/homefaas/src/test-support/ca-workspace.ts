import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@homefaas/core';
import { FsTree } from 'nx/src/generators/tree';
import type { GeneratorEnvironment } from '../common/generator-support';

/**
 * A workspace on disk for generator tests: the generators write key material outside the Nx Tree (see
 * `writeFilesCallback`), so an in-memory tree cannot show what lands on disk. Tests only.
 */
export function createTestWorkspace(): {
  root: string;
  tree: () => FsTree;
  environment: (
    env?: NodeJS.ProcessEnv,
  ) => GeneratorEnvironment & { logger: ReturnType<typeof createMemoryLogger> };
  read: (path: string) => string;
  exists: (path: string) => boolean;
  mode: (path: string) => number;
  /** Every file under the root, relative, sorted: to prove that nothing was written. */
  files: () => string[];
  openssl: (args: string[], input?: string) => { status: number | null; stdout: string; stderr: string };
  remove: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), 'homefaas-gen-'));
  const list = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      return entry.isDirectory() ? list(path) : [path];
    });
  return {
    root,
    tree: () => new FsTree(root, false),
    environment: (env = {}) => ({ env, logger: createMemoryLogger() }),
    read: (path) => readFileSync(join(root, path), 'utf8'),
    exists: (path) => existsSync(join(root, path)),
    mode: (path) => statSync(join(root, path)).mode & 0o777,
    files: () => list('').sort(),
    openssl: (args, input) => {
      const result = spawnSync('openssl', args, { cwd: root, input, encoding: 'utf8' });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
