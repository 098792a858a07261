import { HomefaasError } from '@homefaas/core';
import { validateHomefaasConfig } from './compiled-json-validators';
import { validateOrThrow } from './validation';

/** The workspace settings file, at the workspace root. */
export const HOMEFAAS_CONFIG_FILE = 'homefaas.json';

/** homefaas.json with every defaulted field filled. */
export interface ResolvedHomefaasConfig {
  registry: {
    host: string;
    port: number;
    /** The htpasswd user that pushes; its password comes from the environment, never from this file. */
    user: string;
    container: string;
    image: string;
    /** Extra IP addresses for the registry certificate's subjectAltName. */
    ips: string[];
    ui: boolean;
  };
  ca: { certPath: string; keyPath: string };
  builder: { driver: 'docker' | 'docker-container'; name: string };
  docker: { certsDir: string };
  gateway?: { url?: string };
}

/** homefaas.json as written: every field optional. */
export interface HomefaasConfig {
  registry?: Partial<ResolvedHomefaasConfig['registry']>;
  ca?: Partial<ResolvedHomefaasConfig['ca']>;
  builder?: Partial<ResolvedHomefaasConfig['builder']>;
  docker?: Partial<ResolvedHomefaasConfig['docker']>;
  gateway?: { url?: string };
}

const DEFAULTS: Omit<ResolvedHomefaasConfig, 'gateway'> = {
  registry: {
    host: 'docker-registry.home.lan',
    port: 5000,
    user: 'homefaas',
    container: 'docker-registry',
    image: 'registry:2',
    ips: [],
    ui: false,
  },
  ca: { certPath: 'infra/ca/homeCA.pem', keyPath: 'infra/ca/homeCA.key' },
  builder: { driver: 'docker', name: 'homefaas' },
  docker: { certsDir: '/etc/docker/certs.d' },
};

/** The order keys are written in, so the file reads the same after every generator run. */
const KEY_ORDER: Record<string, string[]> = {
  '': ['$schema', 'registry', 'ca', 'builder', 'docker', 'gateway'],
  registry: ['host', 'port', 'user', 'container', 'image', 'ips', 'ui'],
  ca: ['certPath', 'keyPath'],
  builder: ['driver', 'name'],
  docker: ['certsDir'],
  gateway: ['url'],
};

/**
 * Parses homefaas.json (`undefined` when the file does not exist) and fills the defaults. Throws
 * `ERR_CONFIG_PARSE` for bad JSON and `ERR_CONFIG_INVALID` listing every wrong field.
 */
export function parseHomefaasConfig(
  text: string | undefined,
  source = HOMEFAAS_CONFIG_FILE,
): ResolvedHomefaasConfig {
  const raw = text === undefined || text.trim() === '' ? {} : parseJson(text, source);
  if (!isPlainObject(raw)) {
    throw new HomefaasError('ERR_CONFIG_INVALID', `${source} is invalid:\n  - (root): expected a map`);
  }
  const data = structuredClone(raw);
  validateOrThrow<HomefaasConfig>(validateHomefaasConfig, data, 'ERR_CONFIG_INVALID', source);
  const file = data as HomefaasConfig;
  return {
    registry: {
      ...DEFAULTS.registry,
      ...file.registry,
      ips: [...(file.registry?.ips ?? DEFAULTS.registry.ips)],
    },
    ca: { ...DEFAULTS.ca, ...file.ca },
    builder: { ...DEFAULTS.builder, ...file.builder },
    docker: { ...DEFAULTS.docker, ...file.docker },
    ...(file.gateway === undefined ? {} : { gateway: { ...file.gateway } }),
  };
}

/** `host:port` of the registry, as image references and certs.d folders spell it. */
export function registryAddress(config: Pick<ResolvedHomefaasConfig, 'registry'>): string {
  return `${config.registry.host}:${config.registry.port}`;
}

/** homefaas.json text: keys in a fixed order, 2-space JSON, trailing newline. */
export function formatHomefaasConfig(config: HomefaasConfig): string {
  return `${JSON.stringify(ordered(config, ''), null, 2)}\n`;
}

function ordered(value: unknown, section: string): unknown {
  if (!isPlainObject(value)) return value;
  const order = KEY_ORDER[section] ?? [];
  const keys = Object.keys(value).sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  return Object.fromEntries(keys.map((key) => [key, section === '' ? ordered(value[key], key) : value[key]]));
}

function rank(order: string[], key: string): number {
  const index = order.indexOf(key);
  return index === -1 ? order.length : index;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HomefaasError('ERR_CONFIG_PARSE', `${source} is not valid JSON: ${(error as Error).message}`, {
      hint: `Fix the syntax of ${source}, or delete it to use the defaults.`,
      cause: error,
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
