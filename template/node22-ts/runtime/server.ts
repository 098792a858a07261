import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerClientError, type PendingCall } from './client-error';
import { type ResolvedRuntimeConfig, resolveRuntimeConfig } from './config';
import { formatDuration } from './duration';
import { type CallHandle, type CallOptions, runCall } from './invoke';
import { createLock, lockPresent, removeLock } from './lock';
import { CONSOLE_LOGGER, describeError, type RuntimeLogger } from './logger';
import { splitRequestTarget } from './request-target';
import { planText, writePlan } from './respond';
import type { AnyHandler } from './types';

/** What `startServer` needs: the handler, and optionally the environment, port, interface and logger. */
export interface StartServerOptions {
  readonly handler: AnyHandler;
  /** Read like the container's environment (`exec_timeout`, `max_inflight`, ...); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides the `port` variable; 0 picks a free port. */
  readonly port?: number;
  /** The interface to listen on; default all of them, as of-watchdog does. */
  readonly host?: string;
  readonly logger?: RuntimeLogger;
}

/** How a drain ended: `abandoned` calls were still running when `write_timeout` passed. */
export interface DrainResult {
  readonly timedOut: boolean;
  readonly abandoned: number;
}

/** A listening runtime. */
export interface RunningServer {
  /** The port it listens on (the real one when 0 was asked). */
  readonly port: number;
  readonly config: ResolvedRuntimeConfig;
  /** Function calls running now. */
  inflight(): number;
  /**
   * Graceful stop, as on SIGTERM: health turns 503 and the lock file goes, no new connections are
   * accepted, running calls finish (for at most `write_timeout`), then every connection is closed.
   */
  drain(): Promise<DrainResult>;
  /** Immediate stop: closes every connection, running calls included. */
  close(): Promise<void>;
}

/**
 * Starts the runtime: an HTTP server with of-watchdog's contract (`/_/health`, `/_/ready`, the lock
 * file, `max_inflight`, the timeouts) that calls `handler` for every other path. Resolves once it
 * listens and the lock file exists.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? CONSOLE_LOGGER;
  const fromEnv = resolveRuntimeConfig(options.env ?? process.env);
  const config: ResolvedRuntimeConfig =
    options.port === undefined ? fromEnv : { ...fromEnv, port: options.port };
  const calls = new Map<ServerResponse, CallHandle>();
  let callsDone: Array<() => void> = [];
  let accepting = false;
  let draining = false;

  const healthy = (): boolean => accepting && (config.lockPath === undefined || lockPresent(config.lockPath));
  const limitMet = (): boolean => config.maxInflight > 0 && calls.size >= config.maxInflight;

  const callOptions: CallOptions = {
    handler: options.handler,
    config,
    logger,
    draining: () => draining,
    ended: (res) => {
      calls.delete(res);
      if (calls.size > 0) return;
      for (const wake of callsDone) wake();
      callsDone = [];
    },
  };

  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    if (url.startsWith('/_/')) {
      const path = splitRequestTarget(url).path;
      if (path === '/_/health' || path === '/_/ready') {
        const ready = path === '/_/ready';
        probe(req, res, !healthy() ? 503 : ready && limitMet() ? 429 : 200);
        return;
      }
    }
    if (limitMet()) {
      req.resume();
      writePlan(
        res,
        planText(429, `Concurrent request limit exceeded. Max concurrent requests: ${config.maxInflight}`),
        {},
      );
      logger.info(`${req.method} ${splitRequestTarget(url).path} 429 0ms`);
      return;
    }
    try {
      calls.set(res, runCall(req, res, callOptions));
    } catch (error) {
      logger.warn(`the call failed inside the runtime: ${describeError(error)}`);
      res.destroy();
    }
  };

  const pendingOn = (socket: Duplex): PendingCall | undefined => {
    for (const [res, call] of calls) if (res.socket === socket) return { res, call };
    return undefined;
  };

  const server = createServer(
    {
      // Go's http.Server, which of-watchdog uses, bounds headers and idle connections by read_timeout.
      headersTimeout: config.readTimeoutMs || 60_000,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, config.readTimeoutMs / 4)),
    },
    route,
  );
  if (config.readTimeoutMs > 0) server.keepAliveTimeout = config.readTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(error, socket, pendingOn(socket)),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  const stopListening = (): Promise<void> => {
    closed ??= new Promise((resolve) => server.close(() => resolve()));
    return closed;
  };
  const port = (server.address() as AddressInfo).port;

  if (config.lockPath !== undefined) {
    try {
      createLock(config.lockPath);
    } catch (error) {
      server.closeAllConnections();
      await stopListening();
      throw error;
    }
  }
  accepting = true;
  logger.info(
    `listening on port ${port}: exec_timeout ${formatDuration(config.execTimeoutMs)}, read_timeout ${formatDuration(config.readTimeoutMs)}, write_timeout ${formatDuration(config.writeTimeoutMs)}, max_inflight ${config.maxInflight || 'unlimited'}`,
  );

  const stopAccepting = (): Promise<void> => {
    accepting = false;
    draining = true;
    if (config.lockPath !== undefined) removeLock(config.lockPath);
    return stopListening();
  };

  let drained: Promise<DrainResult> | undefined;
  const drain = (): Promise<DrainResult> => {
    drained ??= (async () => {
      const stopped = stopAccepting();
      server.closeIdleConnections();
      logger.info(`draining ${calls.size} call(s), for at most ${formatDuration(config.writeTimeoutMs)}`);
      const finished = calls.size === 0 || (await callsFinish(config.writeTimeoutMs));
      const abandoned = calls.size;
      if (finished) server.closeIdleConnections();
      else server.closeAllConnections();
      // Answers carry `connection: close`; this only catches a client that keeps its socket open.
      const straggler = setTimeout(() => server.closeAllConnections(), 1_000);
      await stopped;
      clearTimeout(straggler);
      logger.info(finished ? 'drained' : `write_timeout passed with ${abandoned} call(s) unfinished`);
      return { timedOut: !finished, abandoned };
    })();
    return drained;
  };

  const callsFinish = (timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      callsDone.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  return {
    port,
    config,
    inflight: () => calls.size,
    drain,
    close: async () => {
      const stopped = stopAccepting();
      server.closeAllConnections();
      await stopped;
    },
  };
}

function probe(req: IncomingMessage, res: ServerResponse, status: number): void {
  req.resume();
  const allowed = req.method === 'GET' || req.method === 'HEAD';
  writePlan(res, allowed ? planText(status, status === 200 ? 'OK' : undefined) : planText(405), {});
}
