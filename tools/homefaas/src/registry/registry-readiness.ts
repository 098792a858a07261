import { type ErrorCode, HomefaasError, isHomefaasError, type Logger } from '@homefaas/core';
import type { PingResult, RegistryClient } from '@homefaas/registry-client';

/** Input of {@link waitForRegistry}. */
export interface WaitForRegistryOptions {
  client: Pick<RegistryClient, 'ping'>;
  /** `https://host:port`, for messages. */
  url: string;
  timeoutMs: number;
  intervalMs?: number;
  logger: Logger;
  /**
   * Asked after each failed attempt: a reason to stop waiting (the container exited, with its last log
   * lines), or `undefined` to keep waiting.
   */
  giveUpReason?: () => Promise<string | undefined>;
  /** Hint when the registry never answers (e.g. where its logs are). */
  hint?: string;
}

// While the registry starts, its port is closed or a connection drops: keep waiting. Anything else
// (untrusted certificate, wrong name, wrong password) will not fix itself.
const STARTING = new Set<ErrorCode>(['ERR_REGISTRY_REFUSED', 'ERR_REGISTRY_TIMEOUT', 'ERR_REGISTRY_HTTP']);

/**
 * Waits, bounded, until `GET /v2/` answers, printing progress while it waits; returns the first answer.
 * TLS and credential errors are thrown at once, as the registry client words them.
 */
export async function waitForRegistry(options: WaitForRegistryOptions): Promise<PingResult> {
  const interval = options.intervalMs ?? 250;
  const started = Date.now();
  let lastReported = 0;
  for (;;) {
    try {
      return await options.client.ping();
    } catch (error) {
      if (!isHomefaasError(error) || !STARTING.has(error.code)) throw error;
      const elapsed = Date.now() - started;
      const reason = await options.giveUpReason?.();
      if (reason !== undefined) {
        throw new HomefaasError(
          'ERR_REGISTRY_NOT_READY',
          `The registry at ${options.url} stopped: ${reason}`,
          {
            hint: options.hint,
            cause: error,
          },
        );
      }
      if (elapsed >= options.timeoutMs) {
        throw new HomefaasError(
          'ERR_REGISTRY_NOT_READY',
          `${options.url}/v2/ did not answer within ${Math.round(options.timeoutMs / 1000)} s: ${error.message}`,
          { hint: options.hint, cause: error },
        );
      }
      if (elapsed - lastReported >= 2000 || lastReported === 0) {
        lastReported = Math.max(elapsed, 1);
        options.logger.progress(
          `waiting for ${options.url}/v2/ (${(elapsed / 1000).toFixed(1)} s: ${error.message})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}

/**
 * Checks what a ping proved: the registry asks for credentials (htpasswd is on) and accepted ours.
 * Throws ERR_REGISTRY_AUTH otherwise.
 */
export function assertAuthenticated(result: PingResult, url: string, user: string): void {
  if (!result.authRequired) {
    throw new HomefaasError('ERR_REGISTRY_NO_AUTH', `${url}/v2/ answers without asking for credentials.`, {
      hint: 'The registry runs without htpasswd auth: recreate it with the expected settings (registry-up --recreate).',
    });
  }
  if (!result.authenticated) {
    throw new HomefaasError('ERR_REGISTRY_AUTH', `${url}/v2/ did not accept user ${user}.`, {
      hint: 'Check REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE) against infra/registry/auth/registry.password.',
    });
  }
}
