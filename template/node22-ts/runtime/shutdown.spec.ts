import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionRefused, portOf, startChild, stopChildren } from './test-support/child-process';
import { call } from './test-support/harness';

afterEach(stopChildren);

describe('SIGTERM', () => {
  it('refuses new connections, lets the call in flight finish, removes the lock file and exits 0', async () => {
    const child = startChild({ write_timeout: '10s' });
    const port = await portOf(child);
    expect(existsSync(join(child.tmp, '.lock'))).toBe(true);

    const inFlight = call(port, { path: '/slow?ms=1500' });
    await child.waitFor('started /slow');
    child.process.kill('SIGTERM');
    await child.waitFor('draining 1 call(s), for at most 10s');

    expect(await connectionRefused(port)).toBe(true);
    expect(existsSync(join(child.tmp, '.lock'))).toBe(false);
    const answer = await inFlight;
    expect([answer.status, answer.text]).toEqual([200, 'done /slow']);
    expect(answer.headers.connection).toBe('close');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toMatch(/SIGTERM: no new connections\n/);
    expect(child.output()).toMatch(/GET \/slow 200 \d+ms\ndrained\n/);
  });

  it('bounds the drain by write_timeout and still exits 0', async () => {
    const child = startChild({ write_timeout: '1s', exec_timeout: '30s' });
    const port = await portOf(child);
    const inFlight = call(port, { path: '/stuck?ms=20000' }).catch((error: Error) => error);
    await child.waitFor('started /stuck');
    const signalled = performance.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(3_000);
    expect(await inFlight).toBeInstanceOf(Error);
  });

  it('exits 1 with the reason when a setting cannot be read', async () => {
    const child = startChild({ exec_timeout: 'forever' });
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.output()).toContain('cannot start: exec_timeout="forever" is not a duration');
  });
});
