import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import { type BuildResult, context as esbuildContext, formatMessages, type Plugin } from 'esbuild';
import { makeScratchDir } from '../common/scratch-dir';
import { BUNDLE_FILE, functionBundleOptions, type ResolvedFunctionBundle } from './function-bundle';

/** Everything {@link startFunctionServer} needs, resolved. */
export interface FunctionServerRequest {
  bundle: ResolvedFunctionBundle;
  port: number;
  /** The function's `environment` from stack.yml, on top of `baseEnv`. */
  environment: Readonly<Record<string, string>>;
  /** The environment the function process inherits (PATH, HOME, ...). */
  baseEnv: NodeJS.ProcessEnv;
  /** How long a running function may take to drain and exit before it is killed on a restart. */
  stopTimeoutMs?: number;
}

/** Collaborators of {@link startFunctionServer}. */
export interface FunctionServerOptions {
  logger?: Logger;
  /** The Node binary that runs the function (default: the one running this code). */
  nodePath?: string;
}

/** A function running on the host, rebuilt and restarted whenever one of its sources changes. */
export interface FunctionServer {
  url: string;
  /** How many times the function process has been started. */
  readonly starts: number;
  /** Resolves once the function answers `/_/health` after the latest start. */
  ready(): Promise<void>;
  /** Stops watching and stops the function. */
  stop(): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 15_000;

/**
 * Bundles the function like the build does (same runtime, same entry), runs it with Node on `port`, and
 * watches every file in the bundle: after a change that bundles cleanly, the running process gets SIGTERM
 * and a new one starts. A change that does not bundle is reported and the old process keeps serving.
 */
export async function startFunctionServer(
  request: FunctionServerRequest,
  options: FunctionServerOptions = {},
): Promise<FunctionServer> {
  const { logger = SILENT_LOGGER, nodePath = process.execPath } = options;
  const outDir = await makeScratchDir('serve');
  const outfile = join(outDir, BUNDLE_FILE);
  const url = `http://127.0.0.1:${request.port}/`;
  const prefix = `[${request.bundle.name}] `;
  let child: ChildProcess | undefined;
  let starts = 0;
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  let ready: Promise<void> = new Promise(() => {});
  let firstBuild: (result: BuildResult) => void = () => {};
  const built = new Promise<BuildResult>((resolve) => {
    firstBuild = resolve;
  });

  const restart = async (): Promise<void> => {
    await stopChild(child, request.stopTimeoutMs ?? 5_000);
    if (stopped) return;
    starts += 1;
    child = spawn(nodePath, ['--enable-source-maps', outfile], {
      // No exec probe runs on the host, and a shared /tmp/.lock would tie parallel functions together.
      env: { ...request.baseEnv, suppress_lock: 'true', ...request.environment, port: String(request.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pipeLines(child, logger, prefix);
    const current = child;
    child.once('exit', (code, signal) => {
      if (current === child && !stopped && !current.killed) {
        logger.warn(`${prefix}exited (${signal ?? `code ${code}`}); waiting for a change to restart it`);
      }
    });
    ready = waitForHealth(request.port, current);
    ready.catch(() => {});
  };

  const restartPlugin: Plugin = {
    name: 'homefaas-serve-restart',
    setup(build) {
      build.onEnd(async (result) => {
        firstBuild(result);
        if (result.errors.length > 0) {
          const lines = await formatMessages(result.errors, { kind: 'error', color: false });
          logger.warn(
            `${prefix}does not bundle; the previous version keeps running:\n${lines.join('').trimEnd()}`,
          );
          return;
        }
        if (starts > 0) logger.info(`↻ ${request.bundle.name} changed, restarting`);
        queue = queue.then(restart);
        await queue;
      });
    },
  };

  const base = functionBundleOptions(request.bundle);
  const ctx = await esbuildContext({
    ...base,
    outfile,
    write: true,
    sourcemap: 'inline',
    plugins: [...(base.plugins ?? []), restartPlugin],
  });
  const stop = async () => {
    stopped = true;
    await ctx.dispose();
    await queue;
    await stopChild(child, request.stopTimeoutMs ?? 5_000);
    await rm(outDir, { recursive: true, force: true });
  };
  try {
    await ctx.watch();
    const first = await built;
    if (first.errors.length > 0) {
      const lines = await formatMessages(first.errors, { kind: 'error', color: false });
      throw new HomefaasError(
        'ERR_SERVE_BUNDLE',
        `${request.bundle.name} does not bundle:\n${lines.join('').trimEnd()}`,
        {
          hint: 'Fix the errors above, then start serve again.',
        },
      );
    }
    await queue;
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    get starts() {
      return starts;
    },
    ready: () => ready,
    stop,
  };
}

/** SIGTERM (the runtime drains in-flight calls), then SIGKILL after `timeoutMs`. */
async function stopChild(child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function pipeLines(child: ChildProcess, logger: Logger, prefix: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) logger.progress(`${prefix}${line}`);
    });
    stream?.on('end', () => {
      if (pending) logger.progress(`${prefix}${pending}`);
    });
  }
}

/** Polls `/_/health` until it answers 200; fails when the process exits first or the time is up. */
async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  while (Date.now() < deadline && !exited()) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/_/health`, {
        signal: AbortSignal.timeout(1_000),
      });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new HomefaasError(
    'ERR_SERVE_START',
    exited()
      ? `The function exited before it answered on port ${port}.`
      : `The function did not answer http://127.0.0.1:${port}/_/health within ${HEALTH_TIMEOUT_MS / 1000} s.`,
    { hint: 'Read its output above; another process may already use the port (choose one with --port).' },
  );
}
