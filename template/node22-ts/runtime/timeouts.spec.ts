import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, startHarness } from './test-support/harness';
import type { FunctionContext } from './types';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A handler that takes `ms` (or `?ms=`) unless its call is given up; records that it was. */
function slowHandler(ms: number) {
  const seen = { aborted: false };
  const handler = async (
    event: { query: Readonly<Record<string, string | string[]>> },
    context: FunctionContext,
  ) => {
    try {
      await delay(Number(event.query.ms ?? ms), undefined, { signal: context.signal });
      return 'finished';
    } catch {
      seen.aborted = true;
      return 'given up';
    }
  };
  return { handler, seen };
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

describe('exec_timeout', () => {
  it('answers 504 when the handler runs longer, and aborts the context signal', async () => {
    const { handler, seen } = slowHandler(3_000);
    harness = await startHarness(handler, { exec_timeout: '200ms' });
    const { value, ms } = await timed(call(harness.port, { path: '/slow' }));
    expect(value.status).toBe(504);
    expect(value.text).toBe('The function did not answer within 200ms.\n');
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1_500);
    expect(seen.aborted).toBe(true);
    expect(harness.lines).toContain('warn: the handler did not answer within 200ms');
  });

  it('lets a handler that finishes in time answer', async () => {
    const { handler } = slowHandler(50);
    harness = await startHarness(handler, { exec_timeout: '1s' });
    const answer = await call(harness.port);
    expect([answer.status, answer.text]).toEqual([200, 'finished']);
  });

  it('is shortened for one call by X-Timeout', async () => {
    const { handler } = slowHandler(3_000);
    harness = await startHarness(handler, { exec_timeout: '10s' });
    const { value, ms } = await timed(call(harness.port, { headers: { 'x-timeout': '300ms' } }));
    expect([value.status, value.text]).toEqual([504, 'The function did not answer within 300ms.\n']);
    expect(ms).toBeLessThan(1_500);
    const inSeconds = await call(harness.port, { headers: { 'x-timeout': '1' } });
    expect([inSeconds.status, inSeconds.text]).toEqual([504, 'The function did not answer within 1s.\n']);
    const untouched = await call(harness.port, { path: '/?ms=100', headers: { 'x-timeout': '2s' } });
    expect([untouched.status, untouched.text]).toEqual([200, 'finished']);
  });

  it('is never lengthened by X-Timeout', async () => {
    const { handler } = slowHandler(3_000);
    harness = await startHarness(handler, { exec_timeout: '200ms' });
    const { value, ms } = await timed(call(harness.port, { headers: { 'x-timeout': '5s' } }));
    expect([value.status, value.text]).toEqual([504, 'The function did not answer within 200ms.\n']);
    expect(ms).toBeLessThan(1_500);
  });
});

describe('read_timeout', () => {
  it('answers 408 and closes the connection when the body does not arrive in time', async () => {
    let called = false;
    harness = await startHarness(
      async () => {
        called = true;
        return 'fn';
      },
      { read_timeout: '300ms' },
    );
    const socket = connect(harness.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const started = performance.now();
    socket.write(
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nab',
    );
    await closed;
    const ms = performance.now() - started;
    const text = Buffer.concat(received).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2_000);
    expect(called).toBe(false);
    expect(harness.lines).toContainEqual(expect.stringMatching(/^POST \/upload 408 \d+ms$/));
  });

  it('lets a body that arrives in time through', async () => {
    harness = await startHarness(async (event) => event.body, { read_timeout: '300ms' });
    const answer = await call(harness.port, { method: 'POST', body: 'in time' });
    expect(answer.text).toBe('in time');
  });
});

describe('write_timeout', () => {
  it('closes the connection without an answer when the call outlives it, as Go does', async () => {
    const { handler } = slowHandler(3_000);
    harness = await startHarness(handler, { write_timeout: '300ms', exec_timeout: '10s' });
    const started = performance.now();
    await expect(call(harness.port, { path: '/late' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2_000);
    await delay(50);
    expect(harness.lines).toContainEqual(
      expect.stringMatching(/^GET \/late - \(no response: write_timeout 300ms passed\) \d+ms$/),
    );
  });

  it('lets a call that answers in time through', async () => {
    const { handler } = slowHandler(50);
    harness = await startHarness(handler, { write_timeout: '1s' });
    expect((await call(harness.port)).status).toBe(200);
  });
});
