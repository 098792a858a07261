import { join } from 'node:path';
import { parseDuration } from './duration';
import { parseSize } from './size';

/** Defaults of the official node22 template's Dockerfile, so a function behaves the same on the host. */
export const DEFAULTS = {
  port: 8080,
  execTimeout: '10s',
  readTimeout: '15s',
  writeTimeout: '15s',
  maxBodySize: '100kb',
} as const;

/** Everything the runtime reads from the environment, resolved once at start. */
export interface ResolvedRuntimeConfig {
  readonly port: number;
  /** Longest a handler may run before the call answers 504; 0 means no limit. */
  readonly execTimeoutMs: number;
  /** Longest the request body may take to arrive before the call answers 408; 0 means no limit. */
  readonly readTimeoutMs: number;
  /** Longest from the request's arrival to the end of its response; also bounds the drain on SIGTERM. */
  readonly writeTimeoutMs: number;
  /** Calls allowed at once before new calls get 429; 0 means no limit. */
  readonly maxInflight: number;
  /** `RAW_BODY=true`: every body reaches the handler as a Buffer. */
  readonly rawBody: boolean;
  readonly maxJsonBytes: number;
  readonly maxRawBytes: number;
  /** The lock file exec probes look for; `undefined` when `suppress_lock=true`. */
  readonly lockPath: string | undefined;
}

/**
 * Reads the of-watchdog variables (`port`, `exec_timeout`, `read_timeout`, `write_timeout`,
 * `max_inflight`, `suppress_lock`) and the official Node template's (`RAW_BODY`, `MAX_JSON_SIZE`,
 * `MAX_RAW_SIZE`). The lock file sits in `$TMPDIR` (default `/tmp`), as Go's `os.TempDir()` puts it.
 * Throws on a value it cannot read rather than guessing, so a typo shows at start, not under load.
 */
export function resolveRuntimeConfig(env: NodeJS.ProcessEnv): ResolvedRuntimeConfig {
  const writeTimeoutMs = readDuration(env, 'write_timeout', DEFAULTS.writeTimeout);
  if (writeTimeoutMs <= 0) {
    throw new Error('write_timeout must be over 0s: it bounds every response and the drain on SIGTERM.');
  }
  return {
    port: readInteger(env, 'port', DEFAULTS.port, 65_535),
    execTimeoutMs: readDuration(env, 'exec_timeout', DEFAULTS.execTimeout),
    readTimeoutMs: readDuration(env, 'read_timeout', DEFAULTS.readTimeout),
    writeTimeoutMs,
    maxInflight: readInteger(env, 'max_inflight', 0, Number.MAX_SAFE_INTEGER),
    rawBody: env.RAW_BODY === 'true',
    maxJsonBytes: readSize(env, 'MAX_JSON_SIZE'),
    maxRawBytes: readSize(env, 'MAX_RAW_SIZE'),
    lockPath: env.suppress_lock === 'true' ? undefined : join(env.TMPDIR || '/tmp', '.lock'),
  };
}

function readDuration(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  const text = present(env[name]) ?? fallback;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new Error(
      `${name}="${text}" is not a duration: use a Go duration such as 10s, 500ms or 1m30s, or seconds.`,
    );
  }
  return ms;
}

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const text = present(env[name]);
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value <= max)) throw new Error(`${name}="${text}" is not a whole number from 0 to ${max}.`);
  return value;
}

function readSize(env: NodeJS.ProcessEnv, name: string): number {
  const text = present(env[name]) ?? DEFAULTS.maxBodySize;
  const bytes = parseSize(text);
  if (bytes === undefined)
    throw new Error(`${name}="${text}" is not a size: use bytes or a unit, e.g. 100kb or 1mb.`);
  return bytes;
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
