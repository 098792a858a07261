import { assertDays, assertDnsName, assertIp } from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { resolveCaLocation } from '../../ca/ca-location';
import { readCaPassphrase } from '../../ca/ca-passphrase';
import { caKeyModeProblem, readCaCertificate, unlockCa } from '../../ca/load-ca';
import { assertCaMayIssue, checkServerCertificate, planServerCertificate } from '../../ca/server-certificate';
import {
  announceWrites,
  defaultEnvironment,
  type GeneratorEnvironment,
  writeFilesCallback,
} from '../../common/generator-support';
import { withHintInMessage } from '../../common/hint-in-message';
import { splitOptionList } from '../../common/option-list';
import { readTreeConfig } from '../../common/workspace-config';
import type { CertificateGeneratorSchema } from './schema';

/** Every option checked and defaulted. */
export interface ResolvedCertificateOptions {
  readonly domain: string;
  readonly altNames: readonly string[];
  readonly ips: readonly string[];
  /** Asked validity; absent: a reissue keeps the current one's, a first issue gets the default (397). */
  readonly days?: number;
  readonly renew: boolean;
}

/** `nx g certificate <domain>`: issue or keep a server certificate signed by the workspace CA. */
export default async function certificateGenerator(
  tree: Tree,
  schema: CertificateGeneratorSchema,
): Promise<GeneratorCallback | undefined> {
  try {
    return await generateCertificate(tree, schema, defaultEnvironment());
  } catch (error) {
    throw withHintInMessage(error);
  }
}

/**
 * The generator with its environment injected. Order matters: inputs, then the CA certificate (exists,
 * permits the names), then whether the current certificate is still good (no passphrase needed for that),
 * and only then the passphrase and the new key; files are written by the returned callback.
 */
export async function generateCertificate(
  tree: Tree,
  schema: CertificateGeneratorSchema,
  environment: GeneratorEnvironment,
): Promise<GeneratorCallback | undefined> {
  const { logger } = environment;
  const root = tree.root;
  const options = normalizeOptions(schema);
  const location = resolveCaLocation(root, readTreeConfig(tree).ca);
  const { pem: caPem } = await readCaCertificate(location);
  assertCaMayIssue(caPem, { dnsNames: [options.domain, ...options.altNames], ips: [...options.ips] });
  const request = {
    domain: options.domain,
    dnsNames: [...options.altNames],
    ips: [...options.ips],
    days: options.days,
    renew: options.renew,
    now: environment.now,
  };
  const status = await checkServerCertificate(root, caPem, request);
  if (status.reissueBecause === undefined) {
    logger.info(`✔ ${status.detail}`);
    return undefined;
  }
  const passphrase = await readCaPassphrase({
    label: 'CA key passphrase',
    env: environment.env,
    input: environment.input,
  });
  const ca = await unlockCa(location, caPem, passphrase);
  const mode = await caKeyModeProblem(location);
  if (mode !== undefined) logger.warn(`${mode.problem}. ${mode.fix}`);
  const plan = await planServerCertificate(root, ca, request);
  logger.info(`↻ ${plan.detail}`);
  announceWrites(root, plan.writes, logger);
  return writeFilesCallback(root, plan.writes, logger);
}

/** Checks and defaults every option; messages name the option that is wrong. */
export function normalizeOptions(schema: CertificateGeneratorSchema): ResolvedCertificateOptions {
  const domain = (schema.domain ?? '').trim();
  assertDnsName(domain, 'domain');
  if (domain.startsWith('*')) {
    throw new HomefaasError(
      'ERR_CERT_DNS_NAME',
      `domain ${JSON.stringify(domain)} is a wildcard; it names the files.`,
      {
        hint: 'Give a plain host name as the domain and the wildcard with --altNames, e.g. --altNames "*.fn.home.lan".',
      },
    );
  }
  const altNames = splitOptionList(schema.altNames).items;
  for (const name of altNames) assertDnsName(name, '--altNames');
  const ips = splitOptionList(schema.ip).items;
  for (const ip of ips) assertIp(ip, '--ip');
  if (schema.days !== undefined) assertDays(schema.days, '--days');
  return {
    domain: domain.toLowerCase(),
    altNames,
    ips,
    ...(schema.days === undefined ? {} : { days: schema.days }),
    renew: schema.renew ?? false,
  };
}
