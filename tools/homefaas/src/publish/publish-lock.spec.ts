import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCKS_DIR, withLock } from './publish-lock';

const HOLDER = join(__dirname, '../test-support/lock-holder.ts');
const TSX = join(__dirname, '../../../../node_modules/.bin/tsx');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Each `enter` must be followed by the `leave` of the same process before anyone else enters. */
function assertTurns(log: string, count: number): void {
  const lines = log.trim().split('\n');
  expect(lines).toHaveLength(count * 2);
  for (let i = 0; i < lines.length; i += 2) {
    const pid = lines[i]?.split(' ')[1];
    expect(lines[i]).toBe(`enter ${pid}`);
    expect(lines[i + 1]).toBe(`leave ${pid}`);
  }
}

async function writeLock(name: string, owner: object): Promise<void> {
  await mkdir(join(root, LOCKS_DIR), { recursive: true });
  await writeFile(join(root, LOCKS_DIR, `${name}.lock`), JSON.stringify(owner));
}

/** Sets a file's modification time `ms` in the past. */
async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

const BOOT_ID = async () => (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  return Number((await runCommand('sh', ['-c', 'echo $$'])).stdout.trim());
}

describe('withLock', () => {
  it('makes three separate processes take turns', async () => {
    const log = join(root, 'log');
    await writeFile(log, '');
    const runs = [1, 2, 3].map(() => runCommand(TSX, [HOLDER, root, 'publish-hello', log, '300']));
    const results = await Promise.all(runs);
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    assertTurns(await readFile(log, 'utf8'), 3);
    expect(await readdir(join(root, LOCKS_DIR))).toEqual([]);
  });

  it("lets only one of several waiters take over a dead holder's lock", async () => {
    await writeLock('publish-hello', { pid: await deadPid(), host: hostname(), token: 'old', since: 'then' });
    const log = join(root, 'log');
    await writeFile(log, '');
    const runs = [1, 2, 3].map(() => runCommand(TSX, [HOLDER, root, 'publish-hello', log, '200']));
    expect((await Promise.all(runs)).map((r) => r.exitCode)).toEqual([0, 0, 0]);
    assertTurns(await readFile(log, 'utf8'), 3);
  });

  it('makes promises in one process take turns, and lets different names run together', async () => {
    const events: string[] = [];
    let bEntered: () => void = () => {};
    const bIn = new Promise<void>((resolve) => {
      bEntered = resolve;
    });
    const task = (name: string, id: string) =>
      withLock(
        root,
        name,
        async () => {
          events.push(`enter ${id}`);
          if (name === 'b') bEntered();
          // Each `a` stays inside until `b` is in too (or 2 s pass, if `b` waits for `a`), however slow the machine.
          else await Promise.race([bIn, new Promise((r) => setTimeout(r, 2_000))]);
          await new Promise((r) => setTimeout(r, 20));
          events.push(`leave ${id}`);
        },
        { pollMs: 10 },
      );
    await Promise.all([task('a', '1'), task('a', '2'), task('b', '3')]);
    const a = events.filter((e) => e.endsWith(' 1') || e.endsWith(' 2'));
    assertTurns(a.join('\n'), 2);
    // `b` did not wait for `a`: it entered before the first `a` left.
    expect(events.indexOf('enter 3')).toBeLessThan(events.indexOf(a[1] as string));
  });

  it('releases the lock when the body throws', async () => {
    await expect(withLock(root, 'x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await withLock(root, 'x', async () => {}, { timeoutMs: 200 });
  });

  it('takes over a lock whose process is gone', async () => {
    await writeLock('x', {
      pid: await deadPid(),
      host: hostname(),
      token: 'old',
      since: '2020-01-01T00:00:00Z',
    });
    const started = Date.now();
    const release = await acquireLock(root, 'x', { timeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(1000);
    const owner = JSON.parse(await readFile(join(root, LOCKS_DIR, 'x.lock'), 'utf8'));
    expect(owner.pid).toBe(process.pid);
    await release();
  });

  it('takes over an empty lock file left by a crash between create and write', async () => {
    await mkdir(join(root, LOCKS_DIR), { recursive: true });
    const path = join(root, LOCKS_DIR, 'x.lock');
    await writeFile(path, '');
    await age(path, 60_000);
    const release = await acquireLock(root, 'x', { timeoutMs: 2000 });
    await release();
  });

  it('waits for a live holder, says who holds it and how to clear it, and times out with a hint', async () => {
    const holder = await acquireLock(root, 'x');
    const path = join(root, LOCKS_DIR, 'x.lock');
    const logger = createMemoryLogger();
    const error = await acquireLock(root, 'x', { timeoutMs: 300, pollMs: 20, logger }).catch(
      (e: unknown) => e,
    );
    await holder();
    expect(isHomefaasError(error, 'ERR_LOCK_TIMEOUT')).toBe(true);
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toContain(path);
    expect(message).toContain(`held by pid ${process.pid} (${process.argv0}`);
    expect(hint).toContain(`rm -f ${path}`);
    const waiting = logger.lines.join('\n');
    expect(waiting).toContain(`waiting for x: held by pid ${process.pid}`);
    expect(waiting).toContain(`rm -f ${path}`);
  });

  it('gives up at its deadline, not spinning, while a fresh empty breaker file stands', async () => {
    await writeLock('x', { pid: await deadPid(), host: hostname(), token: 'old', since: 'then' });
    await writeFile(join(root, LOCKS_DIR, 'x.lock.break'), '');
    const error = await acquireLock(root, 'x', { timeoutMs: 300, pollMs: 20 }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_LOCK_TIMEOUT')).toBe(true);
  });

  it("takes over a dead holder's lock past an empty breaker file left an hour ago", async () => {
    await writeLock('x', { pid: 999_999, host: hostname(), token: 'x', since: 'x' });
    const breaker = join(root, LOCKS_DIR, 'x.lock.break');
    await writeFile(breaker, '');
    await age(breaker, 3_600_000);
    const release = await acquireLock(root, 'x', { timeoutMs: 20_000, pollMs: 20 });
    expect(JSON.parse(await readFile(join(root, LOCKS_DIR, 'x.lock'), 'utf8')).pid).toBe(process.pid);
    expect(existsSync(breaker)).toBe(false);
    await release();
  });

  it('takes over a lock whose pid now belongs to another process (pid reused)', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await writeLock('x', {
        pid: other.pid,
        host: hostname(),
        token: 'old',
        since: 'then',
        boot: await BOOT_ID(),
        start: '1',
      });
      const release = await acquireLock(root, 'x', { timeoutMs: 5_000, pollMs: 20 });
      expect(JSON.parse(await readFile(join(root, LOCKS_DIR, 'x.lock'), 'utf8')).pid).toBe(process.pid);
      await release();
    } finally {
      other.kill();
    }
  });

  it('takes over a lock written before the machine restarted, even when its pid runs again', async () => {
    await writeLock('x', {
      pid: process.pid,
      host: hostname(),
      token: 'old',
      since: 'then',
      boot: 'another-boot',
      start: '1',
    });
    const release = await acquireLock(root, 'x', { timeoutMs: 5_000, pollMs: 20 });
    expect(JSON.parse(await readFile(join(root, LOCKS_DIR, 'x.lock'), 'utf8')).token).not.toBe('old');
    await release();
  });

  it('never takes over a lock from another host', async () => {
    await writeLock('x', { pid: await deadPid(), host: 'another-host', token: 't', since: 'now' });
    const error = await acquireLock(root, 'x', { timeoutMs: 200, pollMs: 20 }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_LOCK_TIMEOUT')).toBe(true);
  });
});
