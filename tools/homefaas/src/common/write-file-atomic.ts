import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileError } from './file-errors';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode; the file is created with it, so a key is never readable by others, even for a moment. */
  mode?: number;
  /**
   * Never replace a file that is there (a CA key): the new file is linked into place, which fails when
   * anything is at the path, with ERR_FILE_EXISTS; the existing file is untouched.
   */
  exclusive?: boolean;
  /** How errors name the file (relative to the workspace); the path by default. */
  shown?: string;
}

/**
 * Writes `data` to a temporary name in the same directory, fsyncs it, then renames (or, `exclusive`, links)
 * it to `path`: a reader (or a crash) sees either the old file or the whole new one, never half a key.
 * Creates missing directories. Fails with a HomefaasError that names the file and says what to do (see
 * {@link fileError}); the system error is its `cause`.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  try {
    await writeThenMove(path, data, options.mode ?? 0o644, options.exclusive ?? false);
  } catch (error) {
    throw fileError(error, { shown: options.shown ?? path, action: 'write' });
  }
}

async function writeThenMove(path: string, data: string | Buffer, mode: number, exclusive: boolean) {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      // The umask may have narrowed the creation mode; set it exactly.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // link(2), unlike rename(2), fails when the target exists: the check and the creation are one step.
    if (exclusive) await link(temp, path);
    else await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
  await syncDirectory(dir);
}

/** Persists the new name itself; some filesystems refuse to open a directory, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directory fsync is best effort.
  }
}
