import { HomefaasError } from '@homefaas/core';
import type { Challenge } from './challenge';
import type { RegistryRequest, RegistryResponse } from './transport';
import type { RegistryAuth } from './types';

/** What the token request needs from the transport. */
export interface TokenContext {
  baseUrl: string;
  auth?: RegistryAuth;
  /** Sends a request as given (no credentials added), mapping transport failures to HomefaasErrors. */
  exchange(request: RegistryRequest): Promise<RegistryResponse>;
}

/** The `Authorization` value for HTTP Basic. */
export function basicAuthorization(auth: RegistryAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/**
 * Gets a token from the realm of a `Bearer` challenge, sending our credentials as Basic
 * (https://distribution.github.io/distribution/spec/auth/token/). Returns the token and the scope it is for.
 */
export async function requestBearerToken(
  challenge: Challenge,
  request: RegistryRequest,
  context: TokenContext,
): Promise<{ token: string; scope: string }> {
  const { realm, service } = challenge.params;
  if (!realm) {
    throw new HomefaasError(
      'ERR_REGISTRY_AUTH',
      `${request.method} ${request.url} asked for a bearer token but named no realm.`,
      {
        hint: 'Check the token service settings of the registry.',
      },
    );
  }
  const url = new URL(realm, context.baseUrl);
  if (url.protocol !== 'https:') {
    throw new HomefaasError(
      'ERR_REGISTRY_AUTH',
      `The token service ${url.origin} is not HTTPS; credentials are not sent there.`,
      {
        hint: 'Serve the registry token service over HTTPS.',
      },
    );
  }
  if (service) url.searchParams.set('service', service);
  const scope = challenge.params.scope ?? request.scope ?? '';
  if (scope) url.searchParams.set('scope', scope);
  const { auth } = context;
  const headers: Record<string, string> = auth ? { authorization: basicAuthorization(auth) } : {};
  const response = await context.exchange({ method: 'GET', url: url.toString(), headers });
  const where = `GET ${url.origin}${url.pathname}`;
  if (response.status === 401 || response.status === 403) {
    const who = auth ? `for user "${auth.username}"` : 'without credentials';
    throw new HomefaasError(
      'ERR_REGISTRY_AUTH',
      `The token service answered ${response.status} to ${where} ${who}.`,
      {
        hint: auth
          ? 'Check the registry user name and password.'
          : 'Give the registry user name and password.',
      },
    );
  }
  const token = response.status === 200 ? tokenIn(response.body.toString('utf8')) : undefined;
  if (!token) {
    throw new HomefaasError(
      'ERR_REGISTRY_HTTP',
      `The token service answered ${response.status} without a token to ${where}.`,
      {
        hint: 'Check the registry token service.',
      },
    );
  }
  return { token, scope };
}

// Docker's token servers send `token`; OAuth2-style ones send `access_token`.
function tokenIn(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { token?: unknown; access_token?: unknown };
    const token = json.token ?? json.access_token;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}
