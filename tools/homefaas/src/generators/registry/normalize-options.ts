import { assertDays, assertDnsName, assertIp, normalizeIp } from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import type { Tree } from '@nx/devkit';
import { DEFAULT_CERT_DAYS } from '../../lib/registry-settings';
import { readTreeConfig } from '../../lib/workspace-config';
import { splitList } from '../ca/generator-support';
import type { RegistryGeneratorSchema } from './schema';

/** Every option checked and defaulted (options > homefaas.json > defaults). */
export interface ResolvedRegistryOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly ips: readonly string[];
  readonly ui: boolean;
  readonly image: string;
  readonly container: string;
  readonly days: number;
  readonly renew: boolean;
  readonly changePassword: boolean;
  readonly caCertPath: string;
  readonly caKeyPath: string;
}

/** Checks and defaults every option before anything is read or written. */
export function normalizeOptions(tree: Tree, schema: RegistryGeneratorSchema): ResolvedRegistryOptions {
  const config = readTreeConfig(tree);
  const host = (schema.host ?? config.registry.host).trim().toLowerCase();
  assertDnsName(host, '--host');
  if (host.includes('*')) {
    throw new HomefaasError('ERR_REGISTRY_HOST', `--host ${host} is a wildcard.`, {
      hint: 'Give the one name clients use, e.g. --host docker-registry.home.lan.',
    });
  }
  const port = schema.port ?? config.registry.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HomefaasError('ERR_REGISTRY_PORT', `--port ${port} is not a TCP port.`, {
      hint: 'Give a whole number from 1 to 65535, e.g. --port 5000.',
    });
  }
  const user = schema.user ?? config.registry.user;
  if (!/^[^:\s]+$/.test(user)) {
    throw new HomefaasError(
      'ERR_REGISTRY_USER',
      `--user ${JSON.stringify(user)} is not a valid htpasswd user name.`,
      {
        hint: 'Give a name without ":" or spaces, e.g. --user homefaas.',
      },
    );
  }
  const ips =
    schema.ip === undefined
      ? [...config.registry.ips]
      : splitList(schema.ip).items.map((ip) => {
          assertIp(ip, '--ip');
          return normalizeIp(ip);
        });
  const days = schema.days ?? DEFAULT_CERT_DAYS;
  assertDays(days, '--days');
  const image = (schema.image ?? config.registry.image).trim();
  if (image === '') {
    throw new HomefaasError('ERR_REGISTRY_IMAGE', '--image is empty.', {
      hint: 'Give an image, e.g. registry:2.',
    });
  }
  return {
    host,
    port,
    user,
    ips: [...new Set(ips)],
    ui: schema.ui ?? config.registry.ui,
    image,
    container: config.registry.container,
    days,
    renew: schema.renew ?? false,
    changePassword: schema.changePassword ?? false,
    caCertPath: config.ca.certPath,
    caKeyPath: config.ca.keyPath,
  };
}
