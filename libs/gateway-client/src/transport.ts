import {
  errorMessage,
  HomefaasError,
  type Logger,
  redact,
  SILENT_LOGGER,
  secureContextFor,
} from '@homefaas/core';
import type { Dispatcher } from 'undici';
import type { GatewayClientOptions, RetryPolicy } from './types';

/** Three tries, 250 ms then 500 ms apart: enough for a gateway restarting, short enough to fail fast. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 250 };
const REQUEST_TIMEOUT_MS = 30_000;
const BODY_EXCERPT = 300;

/** Node's codes for a certificate the client does not trust or that does not fit. */
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** An answer the caller interprets; 401, TLS and exhausted 5xx never get here. */
export interface GatewayResponse {
  status: number;
  text: string;
  headers: Headers;
}

/** One request; `noRetry` lets a caller keep a 5xx it understands (e.g. "already exists") from a retry. */
export interface SendOptions {
  body?: unknown;
  noRetry?: (status: number, text: string) => boolean;
  retry5xx?: boolean;
}

/** Sends gateway requests with auth, our CA, bounded retries and the error mapping. */
export interface Transport {
  readonly baseUrl: string;
  send(method: string, path: string, options?: SendOptions): Promise<GatewayResponse>;
  /** Builds a message-safe excerpt of a body (secrets removed, cut short). */
  excerpt(text: string): string;
  /** Secrets to keep out of messages, e.g. a secret value being sent. */
  redactAlso(secret: string): () => void;
}

/** Creates the transport behind the gateway client. */
export function createTransport(options: GatewayClientOptions): Transport {
  const baseUrl = checkedBaseUrl(options.url);
  const retry = options.retry ?? DEFAULT_RETRY;
  const logger: Logger = options.logger ?? SILENT_LOGGER;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let fetcher: Promise<Fetcher> | undefined;
  const authorization =
    options.auth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  const secrets = new Set<string>(options.auth ? [options.auth.password] : []);
  const clean = (text: string) => redact(text, [...secrets]);
  const excerpt = (text: string) => {
    const cleaned = clean(text.trim());
    return cleaned.length > BODY_EXCERPT ? `${cleaned.slice(0, BODY_EXCERPT)}…` : cleaned;
  };

  async function attempt(method: string, url: string, body: unknown): Promise<GatewayResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    fetcher ??= createFetcher(options);
    const { doFetch, dispatcher } = await fetcher;
    const response = await doFetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  async function send(method: string, path: string, sendOptions: SendOptions = {}): Promise<GatewayResponse> {
    const url = `${baseUrl}${path}`;
    const what = `${method} ${url}`;
    for (let tryNumber = 1; ; tryNumber += 1) {
      const last = tryNumber >= retry.attempts;
      const delay = retry.baseDelayMs * 2 ** (tryNumber - 1);
      let response: GatewayResponse;
      try {
        response = await attempt(method, url, sendOptions.body);
      } catch (error) {
        const tls = tlsCode(error);
        if (tls !== undefined) throw tlsError(tls, what, baseUrl, options.ca !== undefined, error);
        if (last) {
          throw new HomefaasError(
            'ERR_GATEWAY_UNREACHABLE',
            `Cannot reach the gateway: ${what} failed: ${describe(error)}`,
            {
              hint: 'Check OPENFAAS_URL (or provider.gateway in stack.yml) and that the gateway is running.',
              cause: error,
            },
          );
        }
        logger.progress(
          `Gateway unreachable (${describe(error)}) on ${what}; retry ${tryNumber}/${retry.attempts - 1} in ${delay} ms`,
        );
        await sleep(delay);
        continue;
      }
      if (response.status === 401) throw authError(what, options.auth !== undefined);
      const retryable =
        response.status >= 500 &&
        sendOptions.retry5xx !== false &&
        !(sendOptions.noRetry?.(response.status, response.text) ?? false);
      if (!retryable) return response;
      if (last) {
        throw new HomefaasError(
          'ERR_GATEWAY_HTTP',
          `Gateway answered ${response.status} to ${what} after ${retry.attempts} tries: ${excerpt(response.text) || '(empty body)'}`,
          {
            hint: 'The gateway or its provider is failing; check its logs (faasd: journalctl -u faasd-provider; Kubernetes: kubectl logs -n openfaas deploy/gateway).',
          },
        );
      }
      logger.progress(
        `Gateway answered ${response.status} to ${what}; retry ${tryNumber}/${retry.attempts - 1} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }

  return {
    baseUrl,
    send,
    excerpt,
    redactAlso(secret: string) {
      if (secret === '' || secrets.has(secret)) return () => {};
      secrets.add(secret);
      return () => secrets.delete(secret);
    },
  };
}

/** The gateway URL without trailing slashes; refuses one that is not http(s) or carries credentials. */
function checkedBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new HomefaasError('ERR_GATEWAY_URL', `The gateway URL ${JSON.stringify(url)} is not a URL`, {
      hint: 'Set OPENFAAS_URL (or provider.gateway in stack.yml) to e.g. http://127.0.0.1:8080.',
      cause: error,
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new HomefaasError(
      'ERR_GATEWAY_URL',
      `The gateway URL must not contain credentials (${parsed.host})`,
      {
        hint: 'Remove user:password@ from the URL; set OPENFAAS_USERNAME and OPENFAAS_PASSWORD instead.',
      },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HomefaasError('ERR_GATEWAY_URL', `The gateway URL ${url} is not http:// or https://`, {
      hint: 'Set OPENFAAS_URL (or provider.gateway in stack.yml) to e.g. http://127.0.0.1:8080.',
    });
  }
  return url.trim().replace(/\/+$/, '');
}

interface Fetcher {
  doFetch: (url: string, init: object) => Promise<Response>;
  dispatcher?: Dispatcher;
}

/**
 * Node's own fetch when there is no CA to add (or no TLS); undici's fetch with an Agent that trusts the CA
 * otherwise.
 * undici is loaded only then: requiring it costs a few hundred ms of start-up that a plain-HTTP gateway does
 * not need. A `fetch` passed in must accept undici's `dispatcher` init option when `ca` is set.
 */
async function createFetcher(options: GatewayClientOptions): Promise<Fetcher> {
  // Plain HTTP has no certificate to check: the CA is irrelevant there.
  if (options.ca === undefined || !/^https:/i.test(options.url)) {
    return { doFetch: (options.fetch ?? globalThis.fetch) as Fetcher['doFetch'] };
  }
  const undici = await import('undici');
  const dispatcher = new undici.Agent({ connect: { secureContext: secureContextFor(options.ca) } });
  return { doFetch: (options.fetch ?? undici.fetch) as unknown as Fetcher['doFetch'], dispatcher };
}

function authError(what: string, hadCredentials: boolean): HomefaasError {
  return new HomefaasError(
    'ERR_GATEWAY_AUTH',
    `Gateway answered 401 to ${what}: ${hadCredentials ? 'the credentials were refused' : 'no credentials were sent'}`,
    {
      hint: 'Set OPENFAAS_USERNAME and OPENFAAS_PASSWORD (or OPENFAAS_PASSWORD_FILE), or run `faas-cli login`.',
    },
  );
}

function tlsError(
  code: string,
  what: string,
  baseUrl: string,
  hadCa: boolean,
  cause: unknown,
): HomefaasError {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new HomefaasError(
      'ERR_GATEWAY_TLS',
      `The gateway certificate does not name the host of ${baseUrl} (${what})`,
      {
        hint: 'Use the host name the certificate was issued for, or issue a certificate for this name (npx nx g certificate).',
        cause,
      },
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new HomefaasError(
      'ERR_GATEWAY_TLS',
      `The gateway certificate is not valid now (${code}) on ${what}`,
      {
        hint: 'Renew the gateway certificate (npx nx g certificate) and restart the gateway.',
        cause,
      },
    );
  }
  return new HomefaasError('ERR_GATEWAY_TLS', `The gateway certificate is not trusted (${code}) on ${what}`, {
    hint: hadCa
      ? 'The CA given does not sign the gateway certificate: pass the CA that does.'
      : 'Pass the CA that signed the gateway certificate (e.g. infra/ca/homeCA.pem).',
    cause,
  });
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 8; ) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function tlsCode(error: unknown): string | undefined {
  for (const link of causes(error)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_'))) return code;
  }
  return undefined;
}

/** The innermost useful reason: `ECONNREFUSED`, a timeout, ... */
function describe(error: unknown): string {
  const chain = causes(error);
  const innermost = chain[chain.length - 1];
  const code = chain.map((link) => (link as { code?: unknown }).code).find((c) => typeof c === 'string');
  if ((innermost as { name?: string })?.name === 'TimeoutError') return 'timed out';
  return typeof code === 'string' ? code : errorMessage(innermost);
}
