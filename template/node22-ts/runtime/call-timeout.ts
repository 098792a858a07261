import { parseDuration } from './duration';

/**
 * The exec timeout of one call: `exec_timeout`, shortened (never lengthened) by an `X-Timeout` request
 * header holding a duration (`500ms`, `2s`, or seconds). An unreadable or zero header is ignored; with
 * `exec_timeout` 0 (no limit) the header alone sets the limit. Returns milliseconds, 0 for none.
 */
export function callTimeout(execTimeoutMs: number, header: string | string[] | undefined): number {
  const text = Array.isArray(header) ? header[0] : header;
  const asked = text === undefined ? undefined : parseDuration(text);
  if (asked === undefined || asked <= 0) return execTimeoutMs;
  return execTimeoutMs > 0 ? Math.min(execTimeoutMs, asked) : asked;
}
