import type { Logger } from '@homefaas/core';

/** The logger executors and generators pass to libraries: progress goes to stderr so stdout stays clean. */
export function createConsoleLogger(
  stream: { out: NodeJS.WritableStream; err: NodeJS.WritableStream } = {
    out: process.stdout,
    err: process.stderr,
  },
): Logger {
  return {
    info: (message) => stream.out.write(`${message}\n`),
    warn: (message) => stream.err.write(`⚠ ${message}\n`),
    progress: (message) => stream.err.write(`  ${message}\n`),
  };
}
