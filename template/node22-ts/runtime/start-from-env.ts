import { resolveHandler } from './handler-module';
import { CONSOLE_LOGGER, describeError, flushConsoleLogs, type RuntimeLogger } from './logger';
import { type RunningServer, startServer } from './server';
import type { HandlerModule } from './types';

/** What `startFromEnv` may be given besides the handler; defaults are the real process's. */
export interface StartFromEnvOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: RuntimeLogger;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The entry point of a function's process: finds the handler in its module, starts the runtime from
 * the environment, and on SIGTERM or SIGINT drains and exits 0 (a second signal stops at once).
 * A handler or setting that cannot work is logged and the process exits 1.
 *
 * An error nothing caught (thrown from a timer or callback of a handler, or a rejection nothing
 * handled) is logged, its stack only; then the process drains as on SIGTERM and exits 1. The calls in
 * flight, the one the error came from included, end as they would have: with their handler's answer,
 * or exec_timeout's 504. None is cut off. The process does not go on serving: after such an error,
 * Node cannot tell what state the function's code was left in (a lock held, a cache half written), so
 * the platform starts a clean one, as it does when the official template's process dies of it.
 * The error is not traced back to its call to answer that call 500 at once: tracing the async work of
 * every call (AsyncLocalStorage) costs about a quarter more CPU on each call that answers small JSON.
 */
export async function startFromEnv(
  module: HandlerModule,
  options: StartFromEnvOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? CONSOLE_LOGGER;
  let running: RunningServer;
  try {
    running = await startServer({ handler: resolveHandler(module), env: options.env ?? process.env, logger });
  } catch (error) {
    logger.warn(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    await flushConsoleLogs();
    process.exit(1);
  }
  let stopping = false;
  let exitCode = 0;
  const exit = (): Promise<never> => flushConsoleLogs().then(() => process.exit(exitCode));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.info(`${signal} again: stopping now`);
      void running.close().then(exit);
      return;
    }
    stopping = true;
    logger.info(`${signal}: no new connections`);
    void running.drain().then(exit);
  };
  const onFault =
    (origin: string) =>
    (error: unknown): void => {
      exitCode = 1;
      logger.warn(`${origin}: ${describeError(error)}`);
      if (stopping) return;
      stopping = true;
      logger.warn('the process may be broken: serving no new calls, and exiting 1 once the running ones end');
      void running.drain().then(exit);
    };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('uncaughtException', onFault('uncaught exception'));
  process.on('unhandledRejection', onFault('unhandled rejection'));
  return running;
}
