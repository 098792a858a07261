import { HomefaasError } from '@homefaas/core';
import type { RegistryResponse } from './transport';

/** The `errors[].code` values of a distribution API error body (`NAME_UNKNOWN`, `MANIFEST_UNKNOWN`, ...). */
export function registryErrorCodes(response: RegistryResponse): string[] {
  try {
    const json = JSON.parse(response.body.toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    return (json.errors ?? []).flatMap((error) => (typeof error.code === 'string' ? [error.code] : []));
  } catch {
    return [];
  }
}

/** The error for an answer we did not expect, by status: 403 → ERR_REGISTRY_AUTH, 404 → NOT_FOUND, else HTTP. */
export function unexpectedStatus(response: RegistryResponse, doing: string): HomefaasError {
  const details = registryErrorDetails(response);
  const observed = `Registry answered ${response.status}${details ? ` (${details})` : ''} to ${response.method} ${response.url}`;
  if (response.status === 403) {
    return new HomefaasError('ERR_REGISTRY_AUTH', `${observed} while ${doing}: access denied.`, {
      hint: 'The user is known but may not do this: check its rights on the registry.',
    });
  }
  if (response.status === 404) {
    return new HomefaasError('ERR_REGISTRY_NOT_FOUND', `${observed} while ${doing}.`, {
      hint: 'Check the repository name and the tag or digest (and that it was pushed to this registry).',
    });
  }
  return new HomefaasError('ERR_REGISTRY_HTTP', `${observed} while ${doing}.`, {
    hint: 'See the registry log (docker logs docker-registry) for the reason.',
  });
}

function registryErrorDetails(response: RegistryResponse): string {
  try {
    const json = JSON.parse(response.body.toString('utf8')) as {
      errors?: Array<{ code?: unknown; message?: unknown }>;
    };
    return (json.errors ?? [])
      .map((error) => [error.code, error.message].filter((part) => typeof part === 'string').join(': '))
      .filter((text) => text !== '')
      .join('; ');
  } catch {
    return '';
  }
}
