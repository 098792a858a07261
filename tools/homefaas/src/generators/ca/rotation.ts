import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { shownPath } from '../../ca/ca-files';
import { type CaLocation, isTaken } from '../../ca/workspace-ca';
import { fileError } from '../../common/file-errors';

/** A CA file `--rotate` moves aside: absolute paths. */
export interface PlannedMove {
  from: string;
  to: string;
}

/**
 * Where `--rotate` moves the current CA files: `old/<date>/` next to each (so a key never leaves its own
 * folder or file system), `<date>-2`, `-3`, … when that folder exists. Files that are not there are skipped.
 */
export async function planRotation(location: CaLocation, now: Date): Promise<PlannedMove[]> {
  const present = await Promise.all([location.certPath, location.keyPath].map(isTaken));
  const files = [location.certPath, location.keyPath].filter((_, i) => present[i]);
  const date = now.toISOString().slice(0, 10);
  for (let n = 1; ; n++) {
    const stamp = n === 1 ? date : `${date}-${n}`;
    const moves = files.map((from) => ({ from, to: join(dirname(from), 'old', stamp, basename(from)) }));
    const taken = await Promise.all(moves.map((move) => isTaken(dirname(move.to))));
    if (!taken.includes(true)) return moves;
  }
}

/**
 * Moves each file into its new folder by rename: nothing is copied or written over. The folder is made
 * with a plain `mkdir`, which fails if it exists, so a rotation never mixes with an earlier one.
 */
export async function moveAside(moves: readonly PlannedMove[], root: string): Promise<void> {
  const made = new Set<string>();
  for (const move of moves) {
    const dir = dirname(move.to);
    try {
      if (!made.has(dir)) {
        await mkdir(dirname(dir), { recursive: true });
        await mkdir(dir);
        made.add(dir);
      }
      await rename(move.from, move.to);
    } catch (error) {
      throw fileError(error, { shown: shownPath(move.to, root), action: 'write' });
    }
  }
}
