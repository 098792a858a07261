import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';

/** Where locks live, relative to the workspace root (git-ignored). */
export const LOCKS_DIR = '.homefaas/locks';

/** Options of {@link withLock}. */
export interface LockOptions {
  /** Give up after this long (default 15 minutes: a cold multi-platform build can take that). */
  timeoutMs?: number;
  /** How often to look again while another process holds the lock. */
  pollMs?: number;
  /** Told once who holds the lock and that we wait. */
  logger?: Logger;
  /** Whether a process still runs; replaced in tests. */
  isAlive?: (pid: number) => boolean;
}

const ABANDONED_AFTER_MS = 5_000;

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

/**
 * Runs `body` while holding the workspace lock `name` (`.homefaas/locks/<name>.lock`), so that parallel Nx
 * tasks (`nx affected -t publish --parallel=3`) and separate terminals take turns. The lock is a file created
 * exclusively; a lock whose process is gone (same host, pid not running) is taken over.
 */
export async function withLock<T>(
  root: string,
  name: string,
  body: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const release = await acquireLock(root, name, options);
  try {
    return await body();
  } finally {
    await release();
  }
}

/** Takes the lock `name` and resolves a function that releases it. See {@link withLock}. */
export async function acquireLock(
  root: string,
  name: string,
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const { timeoutMs = 15 * 60_000, pollMs = 100, logger = SILENT_LOGGER, isAlive = processIsAlive } = options;
  const dir = join(root, LOCKS_DIR);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.lock`);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    if (await createExclusive(path, JSON.stringify(me))) {
      return async () => {
        // Remove only our own lock: if it was taken over meanwhile, the new holder keeps it.
        if ((await readOwner(path))?.token === me.token) await unlink(path).catch(() => {});
      };
    }
    const owner = await readOwner(path);
    if (owner ? isStale(owner, isAlive) : await isAbandoned(path)) {
      await breakStaleLock(path, owner, isAlive);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new HomefaasError(
        'ERR_LOCK_TIMEOUT',
        `Waited ${Math.round(timeoutMs / 1000)} s for ${path}${describe(owner)}.`,
        {
          hint: `If no other homefaas command is running, delete ${path} and run again.`,
        },
      );
    }
    if (!told) {
      logger.progress(`waiting for ${name}: another publish holds the lock${describe(owner)}`);
      told = true;
    }
    await sleep(pollMs);
  }
}

/** True when `pid` names a running process (signal 0 only checks). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(owner: LockOwner, isAlive: (pid: number) => boolean): boolean {
  // A lock from another host (shared folder) cannot be checked: it is never taken over.
  return owner.host === hostname() && !isAlive(owner.pid);
}

/**
 * Removes a dead holder's lock. Two waiters may both find it stale; a second lock file serialises them, and
 * the lock is re-read under it, so a waiter never deletes a lock someone else has just taken.
 */
async function breakStaleLock(
  path: string,
  stale: LockOwner | undefined,
  isAlive: (pid: number) => boolean,
): Promise<void> {
  const breaker = `${path}.break`;
  if (
    !(await createExclusive(
      breaker,
      JSON.stringify({ pid: process.pid, host: hostname(), token: '', since: '' }),
    ))
  ) {
    const other = await readOwner(breaker);
    if (other && isStale(other, isAlive)) await unlink(breaker).catch(() => {});
    return;
  }
  try {
    const current = await readOwner(path);
    const still = stale ? current?.token === stale.token : current === undefined && (await isAbandoned(path));
    if (still) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

/** A lock file that never got its content (its creator died between creating and writing it). */
async function isAbandoned(path: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ABANDONED_AFTER_MS;
  } catch {
    return false;
  }
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    // Missing, or still being written by its creator: treat as held, look again shortly.
    return undefined;
  }
}

function describe(owner: LockOwner | undefined): string {
  return owner ? ` (held by pid ${owner.pid} on ${owner.host} since ${owner.since})` : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
