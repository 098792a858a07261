import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from './server';
import { call, type Harness, startHarness } from './test-support/harness';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A handler that waits until the test lets it go. */
function gate(): { handler: () => Promise<string>; open: () => void; entered: Promise<void> } {
  let open = (): void => {};
  let enter = (): void => {};
  const entered = new Promise<void>((resolve) => {
    enter = resolve;
  });
  const released = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    handler: async () => {
      enter();
      await released;
      return 'released';
    },
    open,
    entered,
  };
}

describe('/_/health and the lock file', () => {
  it('answers 200 once listening, with the lock file in $TMPDIR', async () => {
    harness = await startHarness(async () => 'fn');
    const lock = join(harness.tmp, '.lock');
    expect(existsSync(lock)).toBe(true);
    const health = await call(harness.port, { path: '/_/health' });
    expect(health.status).toBe(200);
    expect(health.text).toBe('OK\n');
  });

  it('answers 503 when the lock file is gone, as of-watchdog does', async () => {
    harness = await startHarness(async () => 'fn');
    rmSync(join(harness.tmp, '.lock'));
    expect((await call(harness.port, { path: '/_/health' })).status).toBe(503);
    expect((await call(harness.port, { path: '/_/ready' })).status).toBe(503);
  });

  it('removes the lock file on drain and on close', async () => {
    harness = await startHarness(async () => 'fn');
    const lock = join(harness.tmp, '.lock');
    await harness.server.drain();
    expect(existsSync(lock)).toBe(false);

    const second = await startHarness(async () => 'fn');
    await second.server.close();
    expect(existsSync(join(second.tmp, '.lock'))).toBe(false);
    await second.stop();
  });

  it('answers 405 to a method other than GET or HEAD', async () => {
    harness = await startHarness(async () => 'fn');
    expect((await call(harness.port, { method: 'POST', path: '/_/health' })).status).toBe(405);
    expect((await call(harness.port, { method: 'HEAD', path: '/_/health' })).status).toBe(200);
  });

  it('works without a lock file when suppress_lock=true', async () => {
    harness = await startHarness(async () => 'fn', { suppress_lock: 'true' });
    expect(existsSync(join(harness.tmp, '.lock'))).toBe(false);
    expect((await call(harness.port, { path: '/_/health' })).status).toBe(200);
  });

  it('refuses to start when the lock file cannot be written, and says how to go without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'node22-ts-'));
    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, '');
    await expect(
      startServer({ handler: async () => 'fn', env: { TMPDIR: notADirectory }, port: 0, logger: silent }),
    ).rejects.toThrow(/Cannot write the lock file .*file\/\.lock .*suppress_lock=true/);
    rmSync(dir, { recursive: true });
  });
});

describe('/_/ready and max_inflight', () => {
  it('answers 200 while calls run below the limit, 429 at it, and refuses calls over it with 429', async () => {
    const first = gate();
    harness = await startHarness(first.handler, { max_inflight: '1' });
    expect((await call(harness.port, { path: '/_/ready' })).status).toBe(200);

    const running = call(harness.port, { path: '/work' });
    await first.entered;
    expect(harness.server.inflight()).toBe(1);
    expect((await call(harness.port, { path: '/_/ready' })).status).toBe(429);
    const refused = await call(harness.port, { path: '/more' });
    expect(refused.status).toBe(429);
    expect(refused.text).toBe('Concurrent request limit exceeded. Max concurrent requests: 1\n');
    expect((await call(harness.port, { path: '/_/health' })).status).toBe(200);

    first.open();
    expect((await running).text).toBe('released');
    expect((await call(harness.port, { path: '/_/ready' })).status).toBe(200);
    expect((await call(harness.port, { path: '/again' })).status).toBe(200);
  });

  it('has no limit by default', async () => {
    const slow = gate();
    harness = await startHarness(slow.handler);
    const calls = [1, 2, 3].map(() => call(harness?.port ?? 0));
    await slow.entered;
    expect((await call(harness.port, { path: '/_/ready' })).status).toBe(200);
    slow.open();
    expect((await Promise.all(calls)).map((answer) => answer.status)).toEqual([200, 200, 200]);
  });
});

const silent = { info: () => {}, warn: () => {} };
