import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import { formatCommand } from '@homefaas/docker-engine';
import { readProcessCommand, readProcessIdentity } from '../common/process-identity';

/** Where locks live, relative to the workspace root (git-ignored). */
export const LOCKS_DIR = '.homefaas/locks';

/** Options of {@link withLock}. */
export interface LockOptions {
  /** Give up after this long (default 15 minutes: a cold multi-platform build can take that). */
  timeoutMs?: number;
  /** How long to sleep between two looks while another process holds the lock. */
  pollMs?: number;
  /** Told once who holds the lock, that we wait, and how to clear it. */
  logger?: Logger;
}

// A lock or breaker file still empty after this long was left by a process that died while creating it.
const ABANDONED_AFTER_MS = 5_000;

/** What a lock file holds. `start` and `boot` tell the holder apart from a later process with its pid. */
interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
  start?: string;
  boot?: string;
}

/**
 * Runs `body` while holding the workspace lock `name` (`.homefaas/locks/<name>.lock`), so that parallel Nx
 * tasks (`nx affected -t publish --parallel=3`) and separate terminals take turns. The lock is a file created
 * exclusively; a lock whose holder is gone (same host: its pid no longer runs, now names another process, or
 * belongs to an earlier boot) is taken over.
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

/**
 * Takes the lock `name` and resolves a function that releases it. See {@link withLock}. Every look at a
 * held lock is followed by a sleep and the deadline check, so a wait costs no CPU and always ends.
 */
export async function acquireLock(
  root: string,
  name: string,
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const { timeoutMs = 15 * 60_000, pollMs = 100, logger = SILENT_LOGGER } = options;
  const dir = join(root, LOCKS_DIR);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.lock`);
  const me = await ownerRecord();
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
    const stale = owner ? await isStale(owner) : await isAbandoned(path);
    // A removed stale lock is tried again at once; anything else waits, bounded.
    if (stale && (await breakStaleLock(path, owner))) continue;
    if (Date.now() >= deadline) {
      throw new HomefaasError(
        'ERR_LOCK_TIMEOUT',
        `Waited ${Math.round(timeoutMs / 1000)} s for the lock ${path}, ${await describeHolder(owner)}.`,
        { hint: clearHint(path) },
      );
    }
    if (!told) {
      logger.progress(`waiting for ${name}: ${await describeHolder(owner)}. ${clearHint(path)}`);
      told = true;
    }
    await sleep(pollMs);
  }
}

async function ownerRecord(): Promise<LockOwner> {
  const identity = await readProcessIdentity(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
    ...identity,
  };
}

/** Whether the holder is certainly gone. A lock from another host (shared folder) cannot be checked: never. */
async function isStale(owner: LockOwner): Promise<boolean> {
  if (owner.host !== hostname()) return false;
  const now = await readProcessIdentity(owner.pid);
  if (now === undefined) return true;
  if (owner.boot !== undefined && now.boot !== undefined && owner.boot !== now.boot) return true;
  return owner.start !== undefined && now.start !== undefined && owner.start !== now.start;
}

/**
 * Removes a gone holder's lock; true when it did. Two waiters may both find it stale: a second lock file
 * (the breaker) serialises them, and the lock is read again under it, so a waiter never deletes a lock
 * someone else has just taken. A breaker whose creator is gone, or that stayed empty, is removed, and the
 * caller looks again after its sleep.
 */
async function breakStaleLock(path: string, stale: LockOwner | undefined): Promise<boolean> {
  const breaker = `${path}.break`;
  if (!(await createExclusive(breaker, JSON.stringify(await ownerRecord())))) {
    const other = await readOwner(breaker);
    if (other ? await isStale(other) : await isAbandoned(breaker)) await removeFile(breaker);
    return false;
  }
  try {
    const current = await readOwner(path);
    const still = stale ? current?.token === stale.token : current === undefined && (await isAbandoned(path));
    return still && (await removeFile(path));
  } finally {
    await removeFile(breaker);
  }
}

/** A lock (or breaker) file that never got its content: its creator died between creating and writing it. */
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

async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
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

async function describeHolder(owner: LockOwner | undefined): Promise<string> {
  if (!owner) return 'held by a process that has not written its name into it yet';
  if (owner.host !== hostname()) return `held by pid ${owner.pid} on ${owner.host} since ${owner.since}`;
  const command = await readProcessCommand(owner.pid);
  return `held by pid ${owner.pid}${command ? ` (${command})` : ''} since ${owner.since}`;
}

function clearHint(path: string): string {
  return `If no homefaas publish of this workspace is running, remove the lock: ${formatCommand('rm', ['-f', path])}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
