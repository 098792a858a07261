import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates the lock file that exec health probes (`[ -e /tmp/.lock ]`) look for, as of-watchdog does
 * once it listens. Throws with a way out when it cannot.
 */
export function createLock(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '', { mode: 0o660 });
  } catch (error) {
    throw new Error(
      `Cannot write the lock file ${path} (${error instanceof Error ? error.message : String(error)}). Give the function a writable /tmp, or set suppress_lock=true to go without it.`,
      { cause: error },
    );
  }
}

/** Removes the lock file so probes fail while the runtime drains; a missing file is fine. */
export function removeLock(path: string): void {
  rmSync(path, { force: true });
}

/** True while the lock file exists. */
export function lockPresent(path: string): boolean {
  return existsSync(path);
}
