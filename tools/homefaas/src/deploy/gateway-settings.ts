import { homedir } from 'node:os';
import { join } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import { type GatewayAuth, readFaasCliAuth } from '@homefaas/gateway-client';
import { readOptional } from '../common/read-optional';

/** The gateway faas-cli talks to when nothing names one. */
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';
/** The gateway's basic-auth user unless OPENFAAS_USERNAME says otherwise. */
export const DEFAULT_GATEWAY_USER = 'admin';

/** Where the gateway URL and credentials may come from; the first that is set wins. */
export interface GatewaySettingsInput {
  /** `--gateway`. */
  option?: string;
  /** `provider.gateway` of stack.yml. */
  stackGateway?: string;
  /** `gateway.url` of homefaas.json. */
  configGateway?: string;
  env: NodeJS.ProcessEnv;
  home?: string;
}

/** The gateway to deploy to, its credentials, and where each came from (for the plan and for hints). */
export interface ResolvedGateway {
  url: string;
  urlSource: string;
  auth?: GatewayAuth;
  authSource: string;
}

/**
 * Resolves the gateway like faas-cli: URL from `--gateway` > stack.yml `provider.gateway` > `OPENFAAS_URL`
 * (> homefaas.json > http://127.0.0.1:8080); credentials from `OPENFAAS_USERNAME` (default admin) with
 * `OPENFAAS_PASSWORD` or `OPENFAAS_PASSWORD_FILE`, else faas-cli's `~/.openfaas/config.yml`
 * (`$OPENFAAS_CONFIG/config.yml`) entry for that URL.
 */
export async function resolveGatewaySettings(input: GatewaySettingsInput): Promise<ResolvedGateway> {
  const { env } = input;
  const [url, urlSource] = firstSet([
    [input.option, '--gateway'],
    [input.stackGateway, 'stack.yml provider.gateway'],
    [env.OPENFAAS_URL, 'OPENFAAS_URL'],
    [input.configGateway, 'homefaas.json gateway.url'],
    [DEFAULT_GATEWAY_URL, 'the default'],
  ]);
  const normalized = normalizeGatewayUrl(url, urlSource);
  const username = env.OPENFAAS_USERNAME || DEFAULT_GATEWAY_USER;
  if (env.OPENFAAS_PASSWORD) {
    return {
      url: normalized,
      urlSource,
      auth: { username, password: env.OPENFAAS_PASSWORD },
      authSource: 'OPENFAAS_PASSWORD',
    };
  }
  if (env.OPENFAAS_PASSWORD_FILE) {
    const password = await readPasswordFile(env.OPENFAAS_PASSWORD_FILE);
    return { url: normalized, urlSource, auth: { username, password }, authSource: 'OPENFAAS_PASSWORD_FILE' };
  }
  const configPath = join(env.OPENFAAS_CONFIG || join(input.home ?? homedir(), '.openfaas'), 'config.yml');
  const configText = await readOptional(configPath);
  const fromFaasCli = configText === undefined ? undefined : readFaasCliAuth(configText, normalized);
  if (fromFaasCli) return { url: normalized, urlSource, auth: fromFaasCli, authSource: configPath };
  return { url: normalized, urlSource, authSource: 'none' };
}

function normalizeGatewayUrl(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new HomefaasError('ERR_GATEWAY_URL', `The gateway URL from ${source} is not a URL: ${url}`, {
      hint: 'Give it as http://host:8080 or https://host:8080.',
      cause: error,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HomefaasError(
      'ERR_GATEWAY_URL',
      `The gateway URL from ${source} must start with http:// or https://: ${url}`,
    );
  }
  return url.replace(/\/+$/, '');
}

async function readPasswordFile(path: string): Promise<string> {
  const text = await readOptional(path);
  const password = text?.replace(/\r?\n$/, '');
  if (!password) {
    throw new HomefaasError(
      'ERR_GATEWAY_PASSWORD_FILE',
      `OPENFAAS_PASSWORD_FILE (${path}) is missing or empty.`,
      {
        hint: 'Point OPENFAAS_PASSWORD_FILE at a file holding the gateway password, or set OPENFAAS_PASSWORD.',
      },
    );
  }
  return password;
}

function firstSet(candidates: Array<[string | undefined, string]>): [string, string] {
  for (const [value, source] of candidates) if (value) return [value, source];
  return [DEFAULT_GATEWAY_URL, 'the default'];
}
