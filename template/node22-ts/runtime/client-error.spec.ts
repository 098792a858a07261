import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sleep, startHarness } from './test-support/harness';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Writes `chunks` on a raw connection and reads until the server closes it. */
function exchange(
  port: number,
  chunks: readonly (string | Buffer)[],
): Promise<{ text: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    const received: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (failure: NodeJS.ErrnoException) => {
      error = failure.code ?? failure.message;
    });
    socket.on('close', () => resolve({ text: Buffer.concat(received).toString('latin1'), error }));
  });
}

const MORE = Buffer.alloc(4 * 1024 * 1024, 'x');

describe('a request Node cannot parse', () => {
  it.each([
    ['a bad request line', 'GET /a b c\r\nHost: x\r\n\r\n'],
    [
      'a header without a colon',
      'POST /in HTTP/1.1\r\nHost: x\r\nBad Header\r\nContent-Length: 4194304\r\n\r\n',
    ],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
  ])(
    'answers 400 and closes the connection for %s, even when the client sends more after it',
    async (_name, request) => {
      let called = false;
      harness = await startHarness(async () => {
        called = true;
        return 'fn';
      });
      const { text, error } = await exchange(harness.port, [request, MORE]);
      expect(error).toBeUndefined();
      expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(text).toContain('\r\nConnection: close\r\n');
      expect(text.endsWith('\r\n\r\nBad Request\n')).toBe(true);
      expect(called).toBe(false);
    },
  );

  it('answers 431 to headers over the limit', async () => {
    harness = await startHarness(async () => 'fn');
    const huge = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`;
    const { text } = await exchange(harness.port, [huge]);
    expect(text).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it('lets a call parsed before the bad request answer first, then answers 400', async () => {
    harness = await startHarness(async (event) => {
      await sleep(100);
      return `done ${event.path}`;
    });
    const { text, error } = await exchange(harness.port, [
      'GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nBad Header\r\n\r\n',
    ]);
    expect(error).toBeUndefined();
    expect(text).toMatch(
      /^HTTP\/1\.1 200 OK\r\n.*\r\n\r\ndone \/firstHTTP\/1\.1 400 Bad Request\r\n.*\r\n\r\nBad Request\n$/s,
    );
    expect(harness.lines).toContainEqual(expect.stringMatching(/^GET \/first 200 \d+ms$/));
  });

  it('answers 400 through the call whose chunked body breaks off, and logs it', async () => {
    let called = false;
    harness = await startHarness(async () => {
      called = true;
      return 'fn';
    });
    const { text } = await exchange(harness.port, [
      'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\nZZ\r\n',
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(called).toBe(false);
    await sleep(20);
    expect(harness.lines).toContainEqual(expect.stringMatching(/^POST \/upload 400 \d+ms$/));
  });
});
