import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HomefaasError } from '@homefaas/core';

/** Resolves a name to one address, like `dns.promises.lookup` (which reads /etc/hosts first). */
export type LookupFunction = (host: string) => Promise<{ address: string; family: number }>;

/** Options of {@link resolveRegistryHost}. */
export interface ResolveHostOptions {
  /** The address the hint's /etc/hosts line should name: the registry machine's LAN address when known. */
  suggestedAddress?: string;
  lookup?: LookupFunction;
}

const NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA', 'EAI_FAIL']);

/**
 * The address the registry host name resolves to (an IP literal is returned as it is). When it does not
 * resolve, ERR_REGISTRY_HOST_UNRESOLVED says how to fix it: a line in /etc/hosts on this machine, or a local
 * DNS entry on the router so that every machine (the OpenFaaS nodes too) finds it.
 */
export async function resolveRegistryHost(host: string, options: ResolveHostOptions = {}): Promise<string> {
  if (isIP(host)) return host;
  const lookup = options.lookup ?? ((name: string) => dnsLookup(name));
  try {
    return (await lookup(host)).address;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!NOT_FOUND.has(code)) throw error;
    throw new HomefaasError(
      'ERR_REGISTRY_HOST_UNRESOLVED',
      `The registry host ${host} does not resolve (${code}).`,
      {
        hint: unresolvedHint(host, options.suggestedAddress),
        cause: error,
      },
    );
  }
}

/** What to do when `host` does not resolve: the exact /etc/hosts line, or the router alternative. */
export function unresolvedHint(host: string, suggestedAddress?: string): string {
  const address = suggestedAddress ?? '127.0.0.1';
  const elsewhere = suggestedAddress
    ? ''
    : ' (127.0.0.1 when the registry runs on this machine; otherwise the LAN address of the machine that runs it)';
  return (
    `Add this line to /etc/hosts${elsewhere}: "${address} ${host}" ` +
    `(e.g. echo "${address} ${host}" | sudo tee -a /etc/hosts). ` +
    `Or give ${host} a local DNS entry on your router (a static host / DNS override pointing at the registry machine), so every machine on the network, the OpenFaaS nodes too, resolves it.`
  );
}
