import { HomefaasError } from '@homefaas/core';
import { parse } from 'yaml';
import type { GatewayAuth } from './types';

interface FaasCliAuthEntry {
  gateway?: unknown;
  auth?: unknown;
  token?: unknown;
}

/**
 * The basic-auth credentials `faas-cli login` stored for `gatewayUrl` in `~/.openfaas/config.yml`
 * (`auths: [{gateway, auth: basic, token: base64(user:password)}]`), or `undefined` when there are none.
 * URLs match after normalising case, default ports and trailing slashes. Pure: the caller reads the file.
 */
export function readFaasCliAuth(configYamlText: string, gatewayUrl: string): GatewayAuth | undefined {
  let config: unknown;
  try {
    config = parse(configYamlText);
  } catch (error) {
    throw new HomefaasError('ERR_GATEWAY_FAAS_CLI_CONFIG', `The faas-cli config file is not valid YAML`, {
      hint: 'Run `faas-cli login` again, or set OPENFAAS_USERNAME and OPENFAAS_PASSWORD.',
      cause: error,
    });
  }
  const auths = (config as { auths?: unknown } | null)?.auths;
  if (!Array.isArray(auths)) return undefined;
  const wanted = normalizeUrl(gatewayUrl);
  const entry = (auths as FaasCliAuthEntry[]).find(
    (candidate) => typeof candidate?.gateway === 'string' && normalizeUrl(candidate.gateway) === wanted,
  );
  if (entry === undefined || entry.auth !== 'basic' || typeof entry.token !== 'string') return undefined;
  const decoded = Buffer.from(entry.token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function normalizeUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  try {
    const parsed = new URL(trimmed);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return trimmed.toLowerCase();
  }
}
