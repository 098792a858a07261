import { X509Certificate } from 'node:crypto';
import { HomefaasError, secureContextFor } from '@homefaas/core';
import { Agent, fetch as undiciFetch } from 'undici';
import { basicAuthorization, requestBearerToken } from './bearer-token';
import { type Challenge, parseChallenge } from './challenge';
import { toRegistryError } from './fetch-errors';
import type { RegistryAuth, RegistryClientOptions } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;

/** One request to the registry; `url` is absolute. */
export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The token scope this request needs (`repository:<name>:pull`), to reuse a bearer token without a 401. */
  scope?: string;
}

/** An answer, body already read (registry API answers are small JSON documents). */
export interface RegistryResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  url: string;
  method: string;
}

/** Sends requests with the right trust and credentials, and turns transport failures into HomefaasErrors. */
export interface Transport {
  readonly baseUrl: string;
  readonly auth?: RegistryAuth;
  /** Sends with credentials when the registry asks for them; throws ERR_REGISTRY_AUTH when they are refused. */
  send(request: RegistryRequest): Promise<RegistryResponse>;
  /** Sends without any credentials, whatever the registry asked before. */
  sendAnonymous(request: RegistryRequest): Promise<RegistryResponse>;
  /** Answers the 401 an anonymous request got: sends again with credentials (Basic or a bearer token). */
  authenticate(request: RegistryRequest, unauthorized: RegistryResponse): Promise<RegistryResponse>;
  close(): Promise<void>;
}

/** What this client needs of a fetch implementation (undici's, or an injected one). */
interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  dispatcher?: Agent;
  signal: AbortSignal;
}
interface FetchAnswer {
  status: number;
  headers: ResponseHeaders;
  arrayBuffer(): Promise<ArrayBuffer>;
}
type FetchLike = (url: string, init: FetchInit) => Promise<FetchAnswer>;

/** Read access to response headers (case-insensitive). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

/** Builds the transport from the client options (validated here, once). */
export function createTransport(options: RegistryClientOptions): Transport {
  const baseUrl = resolveBaseUrl(options.baseUrl);
  const origin = new URL(baseUrl).origin;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const auth = options.auth;
  const dispatcher = options.ca === undefined ? undefined : createAgent(options.ca);
  const doFetch = (options.fetch ?? undiciFetch) as unknown as FetchLike;
  let scheme: 'basic' | 'bearer' | undefined;
  const tokens = new Map<string, string>();

  async function exchange(request: RegistryRequest): Promise<RegistryResponse> {
    const target = { method: request.method, url: request.url, hasCa: dispatcher !== undefined, timeoutMs };
    try {
      const response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers ?? {},
        body: request.body,
        dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = Buffer.from(await response.arrayBuffer());
      return {
        status: response.status,
        headers: response.headers,
        body,
        url: request.url,
        method: request.method,
      };
    } catch (error) {
      throw toRegistryError(error, target);
    }
  }

  // Credentials go to the registry's own origin only, never to a host a Location header points at.
  function raw(request: RegistryRequest, authorization?: string): Promise<RegistryResponse> {
    if (!authorization || new URL(request.url).origin !== origin) return exchange(request);
    return exchange({ ...request, headers: { ...request.headers, authorization } });
  }

  function knownAuthorization(request: RegistryRequest): string | undefined {
    if (scheme === 'basic' && auth) return basicAuthorization(auth);
    const token = scheme === 'bearer' ? tokens.get(request.scope ?? '') : undefined;
    return token ? `Bearer ${token}` : undefined;
  }

  async function bearer(challenge: Challenge, request: RegistryRequest): Promise<string> {
    const { token, scope } = await requestBearerToken(challenge, request, { baseUrl, auth, exchange });
    tokens.set(scope, token);
    if (request.scope !== undefined) tokens.set(request.scope, token);
    return `Bearer ${token}`;
  }

  async function send(request: RegistryRequest): Promise<RegistryResponse> {
    const known = knownAuthorization(request);
    const first = await raw(request, known);
    return first.status === 401 ? answerChallenge(request, first, known !== undefined) : first;
  }

  async function answerChallenge(
    request: RegistryRequest,
    unauthorized: RegistryResponse,
    credentialsSent: boolean,
  ): Promise<RegistryResponse> {
    const challenge = parseChallenge(unauthorized.headers.get('www-authenticate'));
    if (challenge?.scheme === 'bearer') {
      scheme = 'bearer';
      return refusedIf401(await raw(request, await bearer(challenge, request)));
    }
    if (!auth || (scheme === 'basic' && credentialsSent)) return refusedIf401(unauthorized);
    scheme = 'basic';
    return refusedIf401(await raw(request, basicAuthorization(auth)));
  }

  function refusedIf401(response: RegistryResponse): RegistryResponse {
    if (response.status !== 401) return response;
    const who = auth ? `the credentials of user "${auth.username}"` : 'no credentials';
    throw new HomefaasError(
      'ERR_REGISTRY_AUTH',
      `Registry answered 401 to ${response.method} ${response.url} with ${who}.`,
      {
        hint: auth
          ? "Check the registry user name and password: they must match a line of the registry's htpasswd file (npx nx g registry sets it)."
          : 'The registry requires a login: give the registry user name and password.',
      },
    );
  }

  return {
    baseUrl,
    auth,
    send,
    sendAnonymous: (request) => raw(request),
    authenticate: (request, unauthorized) => answerChallenge(request, unauthorized, false),
    close: async () => {
      await dispatcher?.close();
    },
  };
}

function resolveBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new HomefaasError('ERR_REGISTRY_URL', `"${baseUrl}" is not a URL.`, {
      hint: 'Give the registry as https://host:port, e.g. https://docker-registry.home.lan:5000.',
    });
  }
  if (url.protocol !== 'https:') {
    throw new HomefaasError('ERR_REGISTRY_URL', `The registry URL ${url.origin} is not HTTPS.`, {
      hint: 'Serve the registry with TLS from our CA and give it as https://host:port.',
    });
  }
  if (url.username || url.password) {
    throw new HomefaasError('ERR_REGISTRY_URL', 'The registry URL carries credentials.', {
      hint: 'Give the user name and password through the auth option instead.',
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function createAgent(ca: string): Agent {
  try {
    new X509Certificate(ca);
  } catch (error) {
    throw new HomefaasError('ERR_REGISTRY_CA', 'The CA given for the registry is not a PEM certificate.', {
      hint: 'Give the content of the CA certificate file (infra/ca/homeCA.pem), not its path or key.',
      cause: error,
    });
  }
  // The system roots plus our CA, in one TLS context per process; rejectUnauthorized stays true even if
  // NODE_TLS_REJECT_UNAUTHORIZED=0. HTTP/2 when the registry offers it (Distribution does): many look-ups
  // share one connection, and a HEAD over undici's HTTP/1.1 takes some 60 ms more here.
  return new Agent({
    allowH2: true,
    connect: { secureContext: secureContextFor(ca), rejectUnauthorized: true },
  });
}
