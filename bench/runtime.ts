/**
 * Benchmark, not a test: the node22-ts runtime against a bare `http.createServer`, both answering the same
 * JSON (bench/runtime/answer.ts), each in its own Node process (this Node, bundled as a function is),
 * driven by wrk from another process with the same load, alternating, over several rounds.
 * Prints per side the median requests per second and p99 latency over the rounds, the ratios, and whether
 * the targets hold: runtime/bare requests per second >= 0.75, runtime/bare p99 <= 2.
 * The runtime runs with the image's defaults (exec_timeout 10s, read_timeout and write_timeout 15s) and
 * logs its line per call to a pipe this script reads, as a container's log collector does.
 *
 * Needs wrk (Debian: `apt-get install -y wrk`). On 2 CPUs or more, servers run on CPU 0 and wrk on CPU 1.
 * Run: npx tsx bench/runtime.ts [--rounds 5] [--seconds 10] [--connections 50] [--no-pin] [--runtime DIR]
 * `--runtime DIR` measures the runtime sources in DIR instead (a saved copy of an earlier version).
 * Exits 1 when a target is missed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleServer, type ServerProcess, startServerProcess } from './runtime/server-process';
import { assertWrk, runWrk, type WrkResult } from './runtime/wrk';

const TARGET_RPS_RATIO = 0.75;
const TARGET_P99_RATIO = 2;
const WARM_UP_SECONDS = 3;

interface BenchOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  /** CPUs for the servers and for wrk, when pinned. */
  readonly serverCpu?: number;
  readonly wrkCpu?: number;
  readonly runtimeDir?: string;
}

/** One wrk run against one side, with the CPU time the server spent on it per answer. */
interface Round extends WrkResult {
  readonly cpuUsPerAnswer: number;
}

interface Side {
  readonly server: ServerProcess;
  readonly rounds: Round[];
  /** Answers wrk counted, warm-up included. */
  answers: number;
}

function readOptions(argv: readonly string[]): BenchOptions {
  const number = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    const value = at === -1 ? fallback : Number(argv[at + 1]);
    if (!(value > 0)) throw new Error(`--${name} takes a number over 0.`);
    return value;
  };
  const pin = !argv.includes('--no-pin') && availableParallelism() >= 2 && hasTaskset();
  const runtimeAt = argv.indexOf('--runtime');
  return {
    rounds: number('rounds', 5),
    seconds: number('seconds', 10),
    connections: number('connections', 50),
    serverCpu: pin ? 0 : undefined,
    wrkCpu: pin ? 1 : undefined,
    runtimeDir: runtimeAt === -1 ? undefined : argv[runtimeAt + 1],
  };
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function formatCpu(us: number): string {
  return Number.isNaN(us) ? '-' : `${us.toFixed(1).padStart(5)} µs/answer`;
}

/** GETs `/` once and returns what a client sees, so both sides are checked to answer alike. */
async function answerOf(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return `${res.status} ${res.headers.get('content-type')} ${await res.text()}`;
}

async function drive(side: Side, seconds: number, options: BenchOptions): Promise<Round> {
  const cpuBefore = side.server.cpuSeconds();
  const url = `http://127.0.0.1:${side.server.port}/`;
  const result = await runWrk({ url, connections: options.connections, seconds, cpu: options.wrkCpu });
  const cpuAfter = side.server.cpuSeconds();
  side.answers += result.requests;
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore;
  return { ...result, cpuUsPerAnswer: (cpu * 1e6) / result.requests };
}

/** Warms both sides up, then runs the rounds, bare first in odd rounds and runtime first in even ones. */
async function runRounds(sides: readonly Side[], options: BenchOptions): Promise<void> {
  for (const side of sides) await drive(side, WARM_UP_SECONDS, options);
  for (let round = 1; round <= options.rounds; round++) {
    for (const side of round % 2 ? sides : [...sides].reverse()) {
      const result = await drive(side, options.seconds, options);
      side.rounds.push(result);
      console.log(
        `round ${round} ${side.server.name.padEnd(7)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  ` +
          `p99 ${result.p99Ms.toFixed(2).padStart(7)} ms  CPU ${formatCpu(result.cpuUsPerAnswer)}` +
          `${result.errors ? `  ${result.errors} errors` : ''}`,
      );
    }
  }
}

/** Prints the medians, the ratios and the verdict; returns whether the targets are met. */
function report(bare: Side, runtime: Side): boolean {
  const summary = (side: Side) => ({
    rps: median(side.rounds.map((round) => round.requestsPerSecond)),
    p99: median(side.rounds.map((round) => round.p99Ms)),
    cpu: median(side.rounds.map((round) => round.cpuUsPerAnswer)),
    errors: side.rounds.reduce((sum, round) => sum + round.errors, 0),
  });
  const b = summary(bare);
  const r = summary(runtime);
  const rpsRatio = r.rps / b.rps;
  const p99Ratio = r.p99 / b.p99;
  // The same ratio taken round by round, between runs a few seconds apart: other work on the machine
  // that comes and goes moves it less than it moves the medians.
  const pairedRps = median(
    runtime.rounds.map((round, at) => round.requestsPerSecond / (bare.rounds[at]?.requestsPerSecond ?? 0)),
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log('\nmedians over the rounds');
  for (const [name, s] of [
    ['bare', b],
    ['runtime', r],
  ] as const) {
    console.log(
      `  ${name.padEnd(7)} ${s.rps.toFixed(0).padStart(7)} req/s  p99 ${s.p99.toFixed(2).padStart(7)} ms  ` +
        `CPU ${formatCpu(s.cpu)}  errors ${s.errors}`,
    );
  }
  console.log(
    `  runtime/bare req/s ${rpsRatio.toFixed(2)} (target >= ${TARGET_RPS_RATIO}: ${verdict(rpsRatio >= TARGET_RPS_RATIO)})`,
  );
  console.log(
    `  runtime/bare p99   ${p99Ratio.toFixed(2)} (target <= ${TARGET_P99_RATIO}: ${verdict(p99Ratio <= TARGET_P99_RATIO)})`,
  );
  console.log(`  runtime/bare req/s round by round, median: ${pairedRps.toFixed(2)} (not a target)`);
  console.log(`  runtime/bare CPU time per answer: ${(r.cpu / b.cpu).toFixed(2)} (not a target)`);
  // One log line per call: the count follows the answers (the last 10 ms of lines may still be on the way).
  console.log(`  runtime log lines ${runtime.server.lines() - 1} for ${runtime.answers} answers wrk counted`);
  const met = rpsRatio >= TARGET_RPS_RATIO && p99Ratio <= TARGET_P99_RATIO && b.errors + r.errors === 0;
  console.log(met ? 'targets met' : 'targets MISSED');
  return met;
}

async function main(): Promise<void> {
  assertWrk();
  const options = readOptions(process.argv.slice(2));
  const tmp = mkdtempSync(join(tmpdir(), 'homefaas-bench-runtime-'));
  const servers: ServerProcess[] = [];
  try {
    const bareFile = await bundleServer(join(__dirname, 'runtime', 'bare-server.ts'), tmp, 'bare');
    const runtimeEntry = join(__dirname, 'runtime', 'runtime-server.ts');
    const runtimeFile = await bundleServer(runtimeEntry, tmp, 'runtime', options.runtimeDir);
    servers.push(await startServerProcess('bare', bareFile, {}, options.serverCpu));
    servers.push(await startServerProcess('runtime', runtimeFile, { TMPDIR: tmp }, options.serverCpu));
    const [bare, runtime] = servers.map((server): Side => ({ server, rounds: [], answers: 0 })) as [
      Side,
      Side,
    ];

    const answers = await Promise.all(servers.map((server) => answerOf(server.port)));
    console.log(`answers:\n  bare:    ${answers[0]}\n  runtime: ${answers[1]}`);
    if (answers[0] !== answers[1]) throw new Error('the two servers do not answer alike');
    console.log(
      `Node ${process.version}, runtime from ${options.runtimeDir ?? 'template/node22-ts/runtime'}, ` +
        `${options.connections} connections, ${options.rounds} rounds of ${options.seconds}s per side, ` +
        `${options.serverCpu === undefined ? 'not pinned to CPUs' : 'servers on CPU 0, wrk on CPU 1'}; ` +
        `load average ${loadavg()[0]?.toFixed(2)} (other work on the machine makes the numbers noisy)`,
    );
    await runRounds([bare, runtime], options);
    if (!report(bare, runtime)) process.exitCode = 1;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
