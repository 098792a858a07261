/**
 * Where the runtime writes its lines: one per call, start and shutdown, handler errors. The same shape
 * as the `info`/`warn` of `@homefaas/core`'s Logger, so a tool can pass its own.
 */
export interface RuntimeLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Lines to stdout, warnings to stderr: what the container's log driver collects. */
export const CONSOLE_LOGGER: RuntimeLogger = {
  info: (message) => process.stdout.write(`${message}\n`),
  warn: (message) => process.stderr.write(`${message}\n`),
};

/** How an error thrown by a handler is logged: its stack when it has one, never the request. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : `non-Error value thrown: ${typeof error}`;
}
