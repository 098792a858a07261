const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const WHOLE = /^\d+$/;
const GO_DURATION =
  /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*$/;
const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Parses a timeout the way of-watchdog reads `exec_timeout` and friends: a whole number is seconds
 * (`10`), anything else is a Go duration (`500ms`, `1m30s`, `1.5h`, `0`). Returns milliseconds, or
 * `undefined` when the text is neither (negative values included).
 * @see https://pkg.go.dev/time#ParseDuration
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (WHOLE.test(value)) return Number(value) * 1_000;
  if (!GO_DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(TERM)) {
    total += Number(amount) * (UNIT_MS[unit as string] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Formats milliseconds for people, in the shape `parseDuration` reads back (`10s`, `500ms`, `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1_000 || !Number.isInteger(ms / 1_000)) return `${ms}ms`;
  const seconds = ms / 1_000;
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const rest = seconds % 60;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${rest ? `${rest}s` : ''}`;
}
