import { errorMessage, HomefaasError } from '@homefaas/core';

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'PERMITTED_SUBTREE_VIOLATION',
  'EXCLUDED_VIOLATION',
]);

/** Where a failed request was going, to name it in the error. */
export interface RequestTarget {
  method: string;
  url: string;
  /** Whether a CA of our own was given: changes what the untrusted-certificate hint says. */
  hasCa: boolean;
  timeoutMs: number;
}

/**
 * Turns what fetch threw (a `TypeError('fetch failed')` whose `cause` chain holds the Node/undici error)
 * into a HomefaasError that says which of DNS, connection, TLS trust, hostname or expiry went wrong.
 */
export function toRegistryError(error: unknown, target: RequestTarget): HomefaasError {
  if (error instanceof HomefaasError) return error;
  const { method, url } = target;
  const host = new URL(url).hostname;
  const port = new URL(url).port || '443';
  const cause = findCause(error);
  const code = cause.code ?? '';
  const detail = cause.message;
  const options = (hint: string) => ({ hint, cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new HomefaasError(
      'ERR_REGISTRY_DNS',
      `${method} ${url} failed: the name ${host} does not resolve (${code}).`,
      options(
        `Add the line "127.0.0.1 ${host}" to /etc/hosts (or the registry machine's address instead of 127.0.0.1), or give ${host} a DNS entry on your router.`,
      ),
    );
  }
  if (code === 'ECONNREFUSED') {
    return new HomefaasError(
      'ERR_REGISTRY_REFUSED',
      `${method} ${url} failed: connection to ${host}:${port} refused.`,
      options(
        'Start the registry: npx nx run infra:registry-up (or docker compose up -d in infra/registry).',
      ),
    );
  }
  if (UNTRUSTED_CODES.has(code)) {
    return new HomefaasError(
      'ERR_REGISTRY_UNTRUSTED',
      `${method} ${url} failed: the registry's certificate is not signed by a trusted CA (${code}: ${detail}).`,
      options(
        target.hasCa
          ? 'The certificate was not issued by our CA: issue the registry certificate from infra/ca (npx nx g certificate) and restart the registry, or give the CA that signed it.'
          : 'Give the CA that signed the registry certificate (the ca option, e.g. infra/ca/homeCA.pem).',
      ),
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new HomefaasError(
      'ERR_REGISTRY_HOSTNAME',
      `${method} ${url} failed: the registry's certificate is not valid for ${host} (${detail}).`,
      options(
        `Issue the registry certificate with ${host} among its subject alternative names (npx nx g certificate), or use a host name it lists.`,
      ),
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    const what = code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet';
    return new HomefaasError(
      'ERR_REGISTRY_EXPIRED',
      `${method} ${url} failed: the registry's certificate ${what} (${code}).`,
      options(
        code === 'CERT_HAS_EXPIRED'
          ? 'Issue a new registry certificate (npx nx g certificate) and restart the registry.'
          : "Check this machine's clock, or issue a new registry certificate.",
      ),
    );
  }
  if (
    code === 'TimeoutError' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new HomefaasError(
      'ERR_REGISTRY_TIMEOUT',
      `${method} ${url} got no answer within ${target.timeoutMs} ms.`,
      options('Check that the registry is running and reachable from here (npx nx run infra:doctor).'),
    );
  }
  const tlsHint = code.startsWith('ERR_SSL_') ? ' Is the registry serving TLS on that port?' : '';
  return new HomefaasError(
    'ERR_REGISTRY_HTTP',
    `${method} ${url} failed: ${detail}${code ? ` (${code})` : ''}.`,
    options(`Check that the registry is running and reachable (npx nx run infra:doctor).${tlsHint}`),
  );
}

interface Cause {
  code?: string;
  message: string;
}

// The innermost error that carries a code (or the innermost one) explains what really happened.
function findCause(error: unknown): Cause {
  let found: Cause = { message: errorMessage(error) };
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    const candidate = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : timeoutName(candidate.name);
    if (code) found = { code, message: errorMessage(current) };
    else if (found.code === undefined) found = { message: errorMessage(current) };
    current = candidate.cause;
  }
  return found;
}

function timeoutName(name: unknown): string | undefined {
  return name === 'TimeoutError' ? 'TimeoutError' : undefined;
}
