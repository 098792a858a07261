import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning } from './process-identity';

/**
 * A new folder in the system's temp folder for one piece of work (`homefaas-<kind>-<pid>-XXXXXX`). The
 * caller removes it when done. A process killed before its clean-up ran (Ctrl-C, which Nx answers by
 * killing the task's process tree) leaves its folder behind: the next one of the same kind removes it.
 */
export async function makeScratchDir(kind: string): Promise<string> {
  await removeAbandonedScratchDirs(kind);
  return mkdtemp(join(tmpdir(), `homefaas-${kind}-${process.pid}-`));
}

/**
 * Removes the `kind` folders whose process no longer runs. A folder of a running process (ours, another
 * user's, or a new process that got the same pid) is left alone, as is one this user may not remove.
 */
async function removeAbandonedScratchDirs(kind: string): Promise<void> {
  const pattern = new RegExp(`^homefaas-${kind}-(\\d+)-`);
  const names = await readdir(tmpdir()).catch(() => []);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(pattern.exec(name)?.[1]);
      if (!pid || isRunning(pid)) return;
      await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}
