import { spawn, spawnSync } from 'node:child_process';

/** What one wrk run measured. */
export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Answers that were not 2xx/3xx, plus connect, read, write and timeout errors. */
  readonly errors: number;
}

/** How to drive a server. */
export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /** Runs wrk as `taskset -c <cpu> wrk ...`, to keep it off the server's CPU. */
  readonly cpu?: number;
}

const INSTALL_HINT = 'wrk is not installed: on Debian or Ubuntu, run `apt-get install -y wrk`.';

/** Throws with how to install wrk when it is missing. */
export function assertWrk(): void {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error(INSTALL_HINT, { cause: probe.error });
}

/** Runs wrk once (one thread, `--latency`) and reads its report. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--latency',
    '--timeout',
    '5s',
    options.url,
  ];
  const [command, argv] =
    options.cpu === undefined ? ['wrk', args] : ['taskset', ['-c', String(options.cpu), 'wrk', ...args]];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}:\n${text}`)),
    );
  });
  return parseWrk(output);
}

/** Reads wrk's text report: requests per second, the 99th latency percentile, requests and errors. */
export function parseWrk(output: string): WrkResult {
  const number = (pattern: RegExp): number | undefined => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) : undefined;
  };
  const requestsPerSecond = number(/^Requests\/sec:\s+([\d.]+)/m);
  const requests = number(/^\s*(\d+) requests in /m);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(output);
  if (requestsPerSecond === undefined || requests === undefined || !p99) {
    throw new Error(`cannot read wrk's report:\n${output}`);
  }
  const unitMs = { us: 0.001, ms: 1, s: 1_000 }[p99[2] as 'us' | 'ms' | 's'];
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors =
    (number(/Non-2xx or 3xx responses: (\d+)/) ?? 0) +
    (socketErrors ? socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0);
  return { requestsPerSecond, p99Ms: Number(p99[1]) * unitMs, requests, errors };
}
