import { readFile } from 'node:fs/promises';

/**
 * What tells one process apart from a later one that got the same pid: its start time in clock ticks since
 * boot (field 22 of /proc/<pid>/stat) and the boot it belongs to. Linux only; elsewhere both are
 * `undefined`, and a pid is then taken at its word.
 */
export interface ProcessIdentity {
  start?: string;
  boot?: string;
}

/** The identity of `pid`, or `undefined` when no such process runs (as far as /proc tells). */
export async function readProcessIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  const [stat, boot] = await Promise.all([readText(`/proc/${pid}/stat`), readBootId()]);
  if (stat === undefined) return isRunning(pid) ? { boot } : undefined;
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); a zombie has exited already.
  if (fields[0] === 'Z') return undefined;
  return { start: fields[19], boot };
}

/** The command line of `pid` as `ps -o args=` shows it, for messages; `undefined` when it cannot be read. */
export async function readProcessCommand(pid: number): Promise<string | undefined> {
  const raw = await readText(`/proc/${pid}/cmdline`);
  const command = raw?.split('\0').filter(Boolean).join(' ');
  return command || undefined;
}

/** This boot of the machine (a new value after each restart). */
export function readBootId(): Promise<string | undefined> {
  return readText('/proc/sys/kernel/random/boot_id').then((id) => id?.trim() || undefined);
}

/** True when `pid` names a running process (signal 0 only checks). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
