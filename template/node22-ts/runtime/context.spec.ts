import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, type Harness, sleep, startHarness } from './test-support/harness';
import type { AnyHandler, FunctionContext, Handler } from './types';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function answerOf(handler: AnyHandler, path = '/') {
  harness = await startHarness(handler);
  return call(harness.port, { path });
}

describe('the context', () => {
  it('sets status and headers in a chain, and reads them back without an argument', async () => {
    const seen: unknown[] = [];
    const answer = await answerOf(async (_event, context) => {
      context.status(201).headers({ 'x-one': '1', 'x-list': ['a', 'b'] });
      seen.push(context.status(), context.headers());
      return { created: true };
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-one']).toBe('1');
    expect(answer.headers['x-list']).toBe('a, b');
    expect(seen).toEqual([201, { 'x-one': '1', 'x-list': ['a', 'b'] }]);
  });

  it('replaces headers rather than merging them, like the official template', async () => {
    const answer = await answerOf(async (_event, context) => {
      context.headers({ 'x-first': '1' }).headers({ 'x-second': '2' });
      return 'ok';
    });
    expect(answer.headers['x-first']).toBeUndefined();
    expect(answer.headers['x-second']).toBe('2');
  });

  it('answers through succeed, and the first answer wins over later ones and the returned value', async () => {
    const answer = await answerOf(async (_event, context) => {
      context.status(202).succeed({ via: 'succeed' });
      context.status(500).fail('too late');
      context.succeed('also too late');
      return 'returned';
    });
    expect([answer.status, JSON.parse(answer.text)]).toEqual([202, { via: 'succeed' }]);
  });

  it('answers through succeed from a callback while the handler is pending', async () => {
    const handler: Handler = (_event, context) =>
      new Promise((resolve) =>
        setTimeout(() => {
          context.succeed('from the callback');
          resolve('ignored');
        }, 20),
      );
    const answer = await answerOf(handler);
    expect([answer.status, answer.text]).toEqual([200, 'from the callback']);
  });

  it('fail with a string answers 500 with that string', async () => {
    const answer = await answerOf(async (_event, context) => context.fail('out of stock'));
    expect([answer.status, answer.text]).toEqual([500, 'out of stock']);
  });

  it('fail keeps a status the handler set, and answers an Error with the generic text only', async () => {
    const answer = await answerOf(async (_event, context) =>
      context.status(409).fail(new Error('row 42 locked by db-admin')),
    );
    expect([answer.status, answer.text]).toEqual([409, 'Conflict\n']);
    expect(harness?.lines.join('\n')).toContain('the handler failed: Error: row 42 locked by db-admin');
  });
});

describe('the signal', () => {
  it('is aborted when the client leaves, and once the call is over', async () => {
    let entered = (): void => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let kept: FunctionContext | undefined;
    let aborted = false;
    const started = await startHarness(async (event, context) => {
      if (event.path === '/keep') {
        kept = context;
        return 'kept';
      }
      entered();
      await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
      aborted = true;
      return 'too late';
    });
    harness = started;
    const leaving = request({ host: '127.0.0.1', port: started.port, path: '/leave', agent: false });
    leaving.on('error', () => {});
    leaving.end();
    await inside;
    leaving.destroy();
    await vi.waitFor(() => {
      expect(aborted).toBe(true);
      expect(started.lines).toContainEqual(
        expect.stringMatching(/^GET \/leave - \(no response: client closed the connection\) \d+ms$/),
      );
    });

    expect((await call(started.port, { path: '/keep' })).text).toBe('kept');
    await sleep(20);
    expect(kept?.signal.aborted).toBe(true);
  });
});

describe('returned values', () => {
  it('sends an object or array as JSON', async () => {
    const answer = await answerOf(async () => [{ a: 1 }]);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.text)).toEqual([{ a: 1 }]);
  });

  it('sends a string as text and a Buffer as bytes', async () => {
    const text = await answerOf(async () => 'hello');
    expect([text.headers['content-type'], text.text]).toEqual(['text/plain; charset=utf-8', 'hello']);
    await harness?.stop();
    const bytes = await answerOf(async () => Buffer.from('raw'));
    expect([bytes.headers['content-type'], bytes.text]).toEqual(['application/octet-stream', 'raw']);
  });

  it('keeps a content-type the handler set, whatever its case', async () => {
    const answer = await answerOf(async (_event, context) => {
      context.headers({ 'Content-Type': 'text/html; charset=utf-8' });
      return '<p>hi</p>';
    });
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.text).toBe('<p>hi</p>');
  });

  it('sends nothing for undefined, with the status the handler set', async () => {
    const answer = await answerOf(async (_event, context) => {
      context.status(204);
    });
    expect([answer.status, answer.text]).toEqual([204, '']);
  });

  it('adds X-Duration-Seconds, as of-watchdog does', async () => {
    const answer = await answerOf(async () => 'timed');
    expect(answer.headers['x-duration-seconds']).toMatch(/^\d+\.\d{6}$/);
  });
});

describe('errors', () => {
  it('answers 500 with a generic body, no message and no stack, when the handler throws', async () => {
    const answer = await answerOf(async () => {
      throw new Error('password=hunter2 rejected by upstream');
    });
    expect([answer.status, answer.text]).toEqual([500, 'Internal Server Error\n']);
    expect(answer.text).not.toContain('hunter2');
    expect(answer.text).not.toMatch(/\bat\b/);
    const logged = harness?.lines.find((line) => line.startsWith('warn: the handler threw:'));
    expect(logged).toContain('Error: password=hunter2 rejected by upstream');
    expect(logged).toContain('context.spec.ts');
  });

  it('answers 500 for a synchronous throw and for a rejected non-Error, whatever status was set', async () => {
    const sync = await answerOf((_event, context) => {
      context.status(201);
      throw new TypeError('sync');
    });
    expect(sync.status).toBe(500);
    await harness?.stop();
    const rejected = await answerOf(() => Promise.reject('just a string'));
    expect([rejected.status, rejected.text]).toEqual([500, 'Internal Server Error\n']);
  });

  it('answers 500 when the answer cannot be sent: a bad status, a bad header, a value JSON cannot hold', async () => {
    const badStatus = await answerOf(async (_event, context) => context.status(42).succeed('x'));
    expect(badStatus.status).toBe(500);
    await harness?.stop();
    const badHeader = await answerOf(async (_event, context) =>
      context.headers({ 'x-bad': 'a\nb' }).succeed('x'),
    );
    expect(badHeader.status).toBe(500);
    await harness?.stop();
    const bigint = await answerOf(async () => ({ n: 1n }));
    expect([bigint.status, bigint.text]).toEqual([500, 'Internal Server Error\n']);
    expect(harness?.lines.join('\n')).toContain("the handler's answer cannot be sent");
  });
});

describe('the log', () => {
  it('writes one line per call with method, path, status and duration, and none for probes', async () => {
    harness = await startHarness(async (event, context) => {
      await sleep(30);
      return context.status(Number(event.query.status ?? 200)).succeed('x');
    });
    await call(harness.port, { method: 'POST', path: '/orders?token=secret-value' });
    await call(harness.port, { path: '/missing?status=404' });
    await call(harness.port, { path: '/_/health' });
    await sleep(20);
    const calls = harness.lines.filter((line) => !line.startsWith('listening'));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/^POST \/orders 200 (\d+)ms$/);
    expect(Number(/ (\d+)ms$/.exec(calls[0] ?? '')?.[1])).toBeGreaterThanOrEqual(25);
    expect(calls[1]).toMatch(/^GET \/missing 404 \d+ms$/);
    expect(calls.join('\n')).not.toContain('secret-value');
  });
});
