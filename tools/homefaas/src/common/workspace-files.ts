import { rm } from 'node:fs/promises';
import { fileError } from './file-errors';
import { readOptional } from './read-optional';
import { writeFileAtomic } from './write-file-atomic';

/** Mode of every private key file, and of every file that holds a credential. */
export const KEY_FILE_MODE = 0o600;

/** A file to write: absolute path, content, mode. */
export interface PlannedWrite {
  path: string;
  data: string;
  mode: number;
  /** Never replace an existing file (a CA key or certificate): refuse with ERR_FILE_EXISTS instead. */
  exclusive?: boolean;
}

/**
 * Writes planned files in order, each atomically. An `exclusive` file is never written over: it is created
 * under a temporary name and linked into place, which fails if anything is there (ERR_FILE_EXISTS). When a
 * write fails, the exclusive files this call created are removed again, so a CA key never stays behind
 * without its certificate. Errors name the file and say what to do (see {@link fileError}).
 */
export async function writePlannedFiles(writes: readonly PlannedWrite[], root?: string): Promise<void> {
  const created: string[] = [];
  try {
    for (const write of writes) {
      try {
        await writeFileAtomic(write.path, write.data, {
          mode: write.mode,
          exclusive: write.exclusive ?? false,
          shown: shownPath(write.path, root),
        });
        if (write.exclusive) created.push(write.path);
      } catch (error) {
        throw fileError(error, { shown: shownPath(write.path, root), action: 'write' });
      }
    }
  } catch (error) {
    await Promise.all(created.map((path) => rm(path, { force: true })));
    throw error;
  }
}

/** A file's text, `undefined` when it does not exist; other errors as {@link fileError}. */
export async function readFileIfPresent(path: string, root?: string): Promise<string | undefined> {
  try {
    return await readOptional(path);
  } catch (error) {
    throw fileError(error, { shown: shownPath(path, root), action: 'read' });
  }
}

/** `path` relative to `root` when inside it, else as it is. */
export function shownPath(path: string, root?: string): string {
  return root !== undefined && path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}
