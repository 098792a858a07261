import { resolveHandler } from './handler-module';
import { CONSOLE_LOGGER, type RuntimeLogger } from './logger';
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
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.info(`${signal} again: stopping now`);
      void running.close().then(() => process.exit(0));
      return;
    }
    stopping = true;
    logger.info(`${signal}: no new connections`);
    void running.drain().then(() => process.exit(0));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return running;
}
