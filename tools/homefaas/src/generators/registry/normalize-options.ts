import { assertDays, assertDnsName, assertIp, normalizeIp } from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import { assertImageReference } from '@homefaas/docker-engine';
import type { Tree } from '@nx/devkit';
import { splitOptionList } from '../../common/option-list';
import { readTreeConfig } from '../../common/workspace-config';
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
  /** Validity of a new registry certificate; a reissue keeps its own validity when not given. */
  readonly days?: number;
  readonly renew: boolean;
  readonly changePassword: boolean;
  /** Where homefaas.json says the CA is. */
  readonly ca: { certPath: string; keyPath: string };
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
      : splitOptionList(schema.ip).items.map((ip) => {
          assertIp(ip, '--ip');
          return normalizeIp(ip);
        });
  if (schema.days !== undefined) assertDays(schema.days, '--days');
  // Checked against the reference grammar: it is written into docker-compose.yml and homefaas.json.
  const image = schema.image ?? config.registry.image;
  assertImageReference(image, schema.image === undefined ? 'homefaas.json registry.image' : '--image');
  return {
    host,
    port,
    user,
    ips: [...new Set(ips)],
    ui: schema.ui ?? config.registry.ui,
    image,
    container: config.registry.container,
    ...(schema.days === undefined ? {} : { days: schema.days }),
    renew: schema.renew ?? false,
    changePassword: schema.changePassword ?? false,
    ca: config.ca,
  };
}
