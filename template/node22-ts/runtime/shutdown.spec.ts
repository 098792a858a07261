import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from './test-support/harness';

const ENTRY = join(__dirname, 'test-support', 'child-entry.ts');
const REPO = join(__dirname, '..', '..', '..');

interface Child {
  readonly process: ChildProcess;
  readonly tmp: string;
  output(): string;
  waitFor(text: string | RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let children: Child[] = [];
afterEach(() => {
  for (const child of children) {
    if (child.process.exitCode === null) child.process.kill('SIGKILL');
    rmSync(child.tmp, { recursive: true, force: true });
  }
  children = [];
});

/** Runs the runtime in its own Node process, the way a container runs the bundle. */
function startChild(env: Record<string, string>): Child {
  const tmp = mkdtempSync(join(tmpdir(), 'node22-ts-child-'));
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: REPO,
    env: { PATH: process.env.PATH, TMPDIR: tmp, port: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: Array<() => void> = [];
  const collect = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = async (pattern: string | RegExp): Promise<string> => {
    for (;;) {
      const match =
        typeof pattern === 'string' ? (text.includes(pattern) ? pattern : null) : pattern.exec(text)?.[0];
      if (match) return match;
      if (child.exitCode !== null) throw new Error(`the runtime exited before printing ${pattern}:\n${text}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const started: Child = { process: child, tmp, output: () => text, waitFor, exited };
  children.push(started);
  return started;
}

async function portOf(child: Child): Promise<number> {
  const line = await child.waitFor(/listening on port \d+/);
  return Number(line.replace(/\D+/g, ''));
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

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
