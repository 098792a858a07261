import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, call, type Harness, sleep, startHarness } from './test-support/harness';
import type { FunctionEvent } from './types';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Answers with what the handler received, so each test sees the event as the handler did. */
const mirror = async (event: FunctionEvent) => ({
  kind: Buffer.isBuffer(event.body) ? 'buffer' : Array.isArray(event.body) ? 'array' : typeof event.body,
  body: Buffer.isBuffer(event.body) ? event.body.toString('hex') : event.body,
  method: event.method,
  path: event.path,
  query: event.query,
  probe: event.headers['x-probe'],
});

async function mirrored(env: NodeJS.ProcessEnv, contentType: string | undefined, body?: string | Buffer) {
  harness = await startHarness(mirror, env);
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  const answer = await call(harness.port, { method: 'POST', path: '/in', headers, body });
  return { answer, seen: answer.status === 200 ? JSON.parse(answer.text) : undefined };
}

/** Sends `body` in chunks with no content-length, so the limit is found while reading. */
function chunked(port: number, contentType: string, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.setHeader('content-type', contentType);
    req.on('error', reject);
    for (let at = 0; at < body.length; at += 16_384) req.write(body.subarray(at, at + 16_384));
    req.end();
  });
}

describe('the event', () => {
  it('carries method, path without query, query with repeated keys as arrays, and lower-cased headers', async () => {
    harness = await startHarness(mirror);
    const answer = await call(harness.port, {
      method: 'PUT',
      path: '/items/7?a=1&b=x%20y&a=2',
      headers: { 'X-Probe': 'p' },
    });
    expect(JSON.parse(answer.text)).toMatchObject({
      method: 'PUT',
      path: '/items/7',
      query: { a: ['1', '2'], b: 'x y' },
      probe: 'p',
    });
  });

  it('gives the path as sent: one that starts with // names no host', async () => {
    harness = await startHarness(mirror);
    const answer = await call(harness.port, { path: '//evil.com/echo?x=1' });
    expect(JSON.parse(answer.text)).toMatchObject({ path: '//evil.com/echo', query: { x: '1' } });
    await sleep(20);
    expect(harness.lines).toContainEqual(expect.stringMatching(/^GET \/\/evil\.com\/echo 200 \d+ms$/));
  });
});

describe('bodies', () => {
  it('parses application/json', async () => {
    const { seen } = await mirrored({}, 'application/json', JSON.stringify({ n: 1, list: [true, null] }));
    expect(seen).toMatchObject({ kind: 'object', body: { n: 1, list: [true, null] } });
  });

  it('parses a JSON array, a +json type and an empty JSON body (as {})', async () => {
    expect((await mirrored({}, 'application/json; charset=utf-8', '[1,2]')).seen.body).toEqual([1, 2]);
    await harness?.stop();
    expect((await mirrored({}, 'application/problem+json', '{"title":"t"}')).seen.body).toEqual({
      title: 't',
    });
    await harness?.stop();
    expect((await mirrored({}, 'application/json', '')).seen).toMatchObject({ kind: 'object', body: {} });
  });

  it('answers 400 to JSON that does not parse, without calling the handler', async () => {
    const { answer } = await mirrored({}, 'application/json', '{"n":');
    expect([answer.status, answer.text]).toEqual([400, 'The request body is not valid JSON.\n']);
  });

  it('gives text/* as a string, decoded with its charset', async () => {
    expect((await mirrored({}, 'text/plain', 'héllo')).seen).toMatchObject({ kind: 'string', body: 'héllo' });
    await harness?.stop();
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    expect((await mirrored({}, 'text/plain; charset=iso-8859-1', latin1)).seen.body).toBe('café');
    await harness?.stop();
    expect((await mirrored({}, 'text/csv; charset=klingon', 'a,b')).answer.status).toBe(415);
  });

  it('reads a body without a content type as text, as the official template does', async () => {
    expect((await mirrored({}, undefined, 'plain')).seen).toMatchObject({ kind: 'string', body: 'plain' });
  });

  it('parses a form into an object', async () => {
    const { seen } = await mirrored({}, 'application/x-www-form-urlencoded', 'a=1&b=two+words&a=3');
    expect(seen.body).toEqual({ a: ['1', '3'], b: 'two words' });
  });

  it('gives any other type as a Buffer', async () => {
    const { seen } = await mirrored({}, 'application/octet-stream', Buffer.from([0, 1, 254, 255]));
    expect(seen).toMatchObject({ kind: 'buffer', body: '0001feff' });
  });

  it('gives every body as a Buffer when RAW_BODY=true, JSON included', async () => {
    const { seen } = await mirrored({ RAW_BODY: 'true' }, 'application/json', '{"n":1}');
    expect(seen).toMatchObject({ kind: 'buffer', body: Buffer.from('{"n":1}').toString('hex') });
  });
});

describe('size limits', () => {
  it('takes a JSON body of exactly MAX_JSON_SIZE (default 100kb) and answers 413 to one byte more', async () => {
    const json = (size: number) => `"${'x'.repeat(size - 2)}"`;
    expect((await mirrored({}, 'application/json', json(102_400))).answer.status).toBe(200);
    await harness?.stop();
    const over = await mirrored({}, 'application/json', json(102_401));
    expect([over.answer.status, over.answer.text]).toEqual([413, 'Payload Too Large\n']);
    expect(over.answer.headers.connection).toBe('close');
  });

  it('applies MAX_JSON_SIZE to JSON and MAX_RAW_SIZE to everything else', async () => {
    const env = { MAX_JSON_SIZE: '1kb', MAX_RAW_SIZE: '2kb' };
    expect((await mirrored(env, 'application/json', `"${'j'.repeat(1_100)}"`)).answer.status).toBe(413);
    await harness?.stop();
    expect((await mirrored(env, 'text/plain', 't'.repeat(1_100))).answer.status).toBe(200);
    await harness?.stop();
    expect((await mirrored(env, 'text/plain', 't'.repeat(2_049))).answer.status).toBe(413);
    await harness?.stop();
    expect(
      (await mirrored({ ...env, RAW_BODY: 'true' }, 'application/json', `"${'r'.repeat(1_500)}"`)).answer
        .status,
    ).toBe(200);
  });

  it('stops a chunked body (no content-length) at the limit while reading it', async () => {
    let called = false;
    harness = await startHarness(
      async () => {
        called = true;
        return 'fn';
      },
      { MAX_RAW_SIZE: '64kb' },
    );
    const answer = await chunked(harness.port, 'application/octet-stream', Buffer.alloc(200_000, 1));
    expect(answer.status).toBe(413);
    expect(called).toBe(false);
    const fits = await chunked(harness.port, 'application/octet-stream', Buffer.alloc(65_536, 1));
    expect([fits.status, called]).toEqual([200, true]);
  });
});
