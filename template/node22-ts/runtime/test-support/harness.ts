import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeLogger } from '../logger';
import { type RunningServer, startServer } from '../server';
import type { AnyHandler } from '../types';

/** A runtime on a free loopback port with its own TMPDIR (so its lock file is its own) and logged lines. */
export interface Harness {
  readonly server: RunningServer;
  readonly port: number;
  readonly tmp: string;
  readonly lines: string[];
  stop(): Promise<void>;
}

/** Starts the runtime for a test; `env` adds to an empty environment. */
export async function startHarness(handler: AnyHandler, env: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const tmp = mkdtempSync(join(tmpdir(), 'node22-ts-'));
  const lines: string[] = [];
  const logger: RuntimeLogger = {
    info: (line) => lines.push(line),
    warn: (line) => lines.push(`warn: ${line}`),
  };
  const server = await startServer({
    handler,
    env: { TMPDIR: tmp, ...env },
    port: 0,
    host: '127.0.0.1',
    logger,
  });
  return {
    server,
    port: server.port,
    tmp,
    lines,
    stop: async () => {
      await server.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** An HTTP answer read in full. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** What to send; `body` is written in one piece with a content-length. */
export interface Call {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** One request over a fresh connection to 127.0.0.1. */
export function call(port: number, what: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: what.method ?? 'GET',
        path: what.path ?? '/',
        headers: what.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(what.body);
  });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
