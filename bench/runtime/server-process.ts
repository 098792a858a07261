import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** A benchmark server in its own Node process. */
export interface ServerProcess {
  readonly name: string;
  readonly port: number;
  /** Lines it has printed on stdout so far (the runtime prints one per call). */
  lines(): number;
  /** CPU seconds (user and system) it has used so far; undefined where /proc is not there. */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Bundles `entry` into one CommonJS file, as a function's build does, so the server runs what a function
 * image runs (plain `node index.js`, no TypeScript loader). `runtimeDir`, when given, replaces the
 * runtime the entry imports (`template/node22-ts/runtime/index`) with the `index.ts` of that folder.
 */
export async function bundleServer(
  entry: string,
  outDir: string,
  name: string,
  runtimeDir?: string,
): Promise<string> {
  const outfile = join(outDir, `${name}.js`);
  const replaceRuntime: Plugin = {
    name: 'replace-runtime',
    setup(plugin) {
      plugin.onResolve({ filter: /template\/node22-ts\/runtime\/index$/ }, () => ({
        path: resolve(runtimeDir ?? '', 'index.ts'),
      }));
    },
  };
  await build({
    plugins: runtimeDir === undefined ? [] : [replaceRuntime],
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * Starts `node <file>` with the current Node, port 0, and `env`, and resolves once it prints
 * `listening on port N`. Its stdout is read and counted as a container's log collector would.
 */
export function startServerProcess(
  name: string,
  file: string,
  env: Record<string, string>,
  cpu: number | undefined,
): Promise<ServerProcess> {
  const args = [process.execPath, file];
  const [command, argv] =
    cpu === undefined ? [args[0], args.slice(1)] : ['taskset', ['-c', String(cpu), ...args]];
  const child = spawn(command as string, argv as string[], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', port: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines = 0;
  let head = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const failed = (why: string) => reject(new Error(`${name} ${why}:\n${head}${errors}`));
    child.on('error', (error) => failed(error.message));
    child.on('exit', (code, signal) => failed(`exited (${code ?? signal}) before listening`));
    child.stdout.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
      if (head.length > 4096) return;
      head += chunk.toString();
      const port = /listening on port (\d+)/.exec(head)?.[1];
      if (port === undefined) return;
      child.removeAllListeners('exit');
      resolve({
        name,
        port: Number(port),
        lines: () => lines,
        cpuSeconds: () => cpuSecondsOf(child.pid),
        stop: () => stop(child),
      });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let ticksPerSecond: number | undefined;

/** utime + stime from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it start past its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
