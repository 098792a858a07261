import { describe, expect, it } from 'vitest';
import { resolveRuntimeConfig } from './config';

describe('resolveRuntimeConfig', () => {
  it("defaults to of-watchdog's port and the official node22 template's timeouts and limits", () => {
    expect(resolveRuntimeConfig({})).toEqual({
      port: 8080,
      execTimeoutMs: 10_000,
      readTimeoutMs: 15_000,
      writeTimeoutMs: 15_000,
      maxInflight: 0,
      rawBody: false,
      maxJsonBytes: 102_400,
      maxRawBytes: 102_400,
      lockPath: '/tmp/.lock',
    });
  });

  it('reads every variable', () => {
    const config = resolveRuntimeConfig({
      port: '9090',
      exec_timeout: '1m30s',
      read_timeout: '5',
      write_timeout: '500ms',
      max_inflight: '3',
      RAW_BODY: 'true',
      MAX_JSON_SIZE: '1mb',
      MAX_RAW_SIZE: '2kb',
      TMPDIR: '/run/fn',
    });
    expect(config).toEqual({
      port: 9090,
      execTimeoutMs: 90_000,
      readTimeoutMs: 5_000,
      writeTimeoutMs: 500,
      maxInflight: 3,
      rawBody: true,
      maxJsonBytes: 1_048_576,
      maxRawBytes: 2_048,
      lockPath: '/run/fn/.lock',
    });
  });

  it('drops the lock file with suppress_lock=true and treats empty values as unset', () => {
    const config = resolveRuntimeConfig({ suppress_lock: 'true', exec_timeout: '', port: ' ' });
    expect(config.lockPath).toBeUndefined();
    expect(config.execTimeoutMs).toBe(10_000);
    expect(config.port).toBe(8080);
  });

  it.each([
    [{ exec_timeout: 'ten seconds' }, /exec_timeout="ten seconds" is not a duration/],
    [{ read_timeout: '-1s' }, /read_timeout="-1s" is not a duration/],
    [{ write_timeout: '0s' }, /write_timeout must be over 0s/],
    [{ port: '80800' }, /port="80800" is not a whole number from 0 to 65535/],
    [{ max_inflight: '-1' }, /max_inflight="-1" is not a whole number/],
    [{ MAX_JSON_SIZE: 'big' }, /MAX_JSON_SIZE="big" is not a size/],
  ])('refuses %j', (env, message) => {
    expect(() => resolveRuntimeConfig(env)).toThrow(message);
  });
});
