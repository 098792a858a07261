/** Where libraries report what they do. Libraries never print; the plugin passes a console-backed logger. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Detail of long work (build output, wait progress), shown as it happens. */
  progress(message: string): void;
}

/** A logger that drops everything: the default of every library. */
export const SILENT_LOGGER: Logger = {
  info: () => {},
  warn: () => {},
  progress: () => {},
};

/** A logger that keeps every line, for tests and for summaries. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(message),
    warn: (message) => lines.push(`warn: ${message}`),
    progress: (message) => lines.push(message),
  };
}
