/**
 * Where the runtime writes its lines: one per call, start and shutdown, handler errors. The same shape
 * as the `info`/`warn` of `@homefaas/core`'s Logger, so a tool can pass its own.
 */
export interface RuntimeLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Longest a line waits before it is written. */
const FLUSH_MS = 100;
/** Lines are written at once when they add up to this many characters. */
const FLUSH_SIZE = 64 * 1024;

let pending = '';
let timer: NodeJS.Timeout | undefined;
let flushesOnExit = false;

function flush(done?: () => void): void {
  clearTimeout(timer);
  timer = undefined;
  const text = pending;
  pending = '';
  if (text !== '') process.stdout.write(text, done && (() => done()));
  else done?.();
}

/**
 * Lines to stdout, warnings to stderr: what the container's log driver collects. A container's stdout
 * is a pipe, and each write to it wakes the reader, which under load costs more than the call the line
 * is about: so info lines wait up to 100 ms and go out in one write, the same lines in the same order.
 * A warning first writes the lines before it; `flushConsoleLogs` writes the rest before the runtime
 * exits.
 */
export const CONSOLE_LOGGER: RuntimeLogger = {
  info: (message) => {
    pending += `${message}\n`;
    if (pending.length >= FLUSH_SIZE) flush();
    else timer ??= setTimeout(flush, FLUSH_MS).unref();
    if (flushesOnExit) return;
    // A handler that calls process.exit itself: the lines still go out, as far as a pipe takes them.
    flushesOnExit = true;
    process.once('exit', () => flush());
  },
  warn: (message) => {
    flush();
    process.stderr.write(`${message}\n`);
  },
};

/** Writes the lines `CONSOLE_LOGGER` still holds; resolves once stdout has taken them. */
export function flushConsoleLogs(): Promise<void> {
  return new Promise((resolve) => flush(resolve));
}

/** How an error thrown by a handler is logged: its stack when it has one, never the request. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : `non-Error value thrown: ${typeof error}`;
}
