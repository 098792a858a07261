import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRY = join(__dirname, 'child-entry.ts');
const REPO = join(__dirname, '..', '..', '..', '..');

/** The runtime in its own Node process, serving test-support/child-handler.ts. */
export interface Child {
  readonly process: ChildProcess;
  readonly tmp: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the first match once the output holds it; throws if the process exits first. */
  waitFor(text: string | RegExp): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: Child[] = [];

/** Runs the runtime in its own Node process, the way a container runs the bundle; `env` is all it gets. */
export function startChild(env: Record<string, string>): Child {
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
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters.splice(0)) wake();
    }),
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

/** Kills the children still running and removes their folders; for `afterEach`. */
export function stopChildren(): void {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    rmSync(child.tmp, { recursive: true, force: true });
  }
}

/** The port a child listens on, from its first line. */
export async function portOf(child: Child): Promise<number> {
  const line = await child.waitFor(/listening on port \d+/);
  return Number(line.replace(/\D+/g, ''));
}

/** True when nothing listens on `port` any more. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
