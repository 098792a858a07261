import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorMessage, SILENT_LOGGER } from '@homefaas/core';
import { fileError } from '../common/file-errors';
import { formatDay } from '../common/format-day';
import { shownPath } from '../common/workspace-files';
import type { CaLocation } from './ca-location';
import { describeExistingCa, isTaken } from './load-ca';

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
  const date = formatDay(now);
  for (let n = 1; ; n++) {
    const stamp = n === 1 ? date : `${date}-${n}`;
    const moves = files.map((from) => ({ from, to: join(dirname(from), 'old', stamp, basename(from)) }));
    const taken = await Promise.all(moves.map((move) => isTaken(dirname(move.to))));
    if (!taken.includes(true)) return moves;
  }
}

/**
 * What a rotation moves, and where, in words. A damaged pair is moved too, and said to be damaged.
 */
export async function describeRotation(location: CaLocation, moves: readonly PlannedMove[]): Promise<string> {
  const to = [...new Set(moves.map((move) => shownPath(move.to, location.root).replace(/\/[^/]+$/, '/')))];
  return `the current CA (${await describeCurrent(location)}) moves to ${to.join(' and ')}`;
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

async function describeCurrent(location: CaLocation): Promise<string> {
  try {
    return (
      (await describeExistingCa(location, SILENT_LOGGER)) ??
      `${location.keyDisplayPath} without a certificate`
    );
  } catch (error) {
    return `damaged: ${errorMessage(error)}`;
  }
}
