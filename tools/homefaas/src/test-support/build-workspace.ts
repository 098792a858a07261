import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The real workspace: its template is what test workspaces link to. */
export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

/** A throwaway npm workspace with the real node22-ts template linked in and no node_modules. */
export interface TestWorkspace {
  root: string;
  write(path: string, text: string): Promise<void>;
  remove(): Promise<void>;
}

/** Creates a workspace whose root package.json lists `libs/*`, `template/*` and `functions/*`. */
export async function createTestWorkspace(files: Record<string, string>): Promise<TestWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'homefaas-workspace-'));
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };
  await write(
    'package.json',
    JSON.stringify({ name: 'ws', private: true, workspaces: ['libs/*', 'template/*', 'functions/*'] }),
  );
  await mkdir(join(root, 'template'));
  await symlink(join(WORKSPACE_ROOT, 'template/node22-ts'), join(root, 'template/node22-ts'));
  for (const [path, text] of Object.entries(files)) await write(path, text);
  return { root, write, remove: () => rm(root, { recursive: true, force: true }) };
}

/** `node <file>` with the runtime's `port`; resolves once `/_/health` answers, with a stop function. */
export async function runBundle(
  file: string,
  port: number,
): Promise<{ output: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, port: String(port), suppress_lock: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
  });
  child.stderr.on('data', (data: Buffer) => {
    output += data.toString();
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/_/health`)).ok) return { output: () => output, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  await stop();
  throw new Error(`${file} did not start on port ${port}:\n${output}`);
}
