import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Exit code and output of a finished command (tests only). */
export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real tool (openssl, curl) to check our output independently (tests only). */
export function run(command: string, args: string[], input?: string): RunResult {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary folder and a way to put files in it (tests only). */
export function scratch(prefix = 'homefaas-cert-'): {
  dir: string;
  file(name: string, text: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
