import { describeCertificate } from '@homefaas/certificates';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { adoptCa, readCaImport } from '../../ca/adopt-ca';
import { CREATE_CA_COMMAND, resolveCaLocation } from '../../ca/ca-location';
import { resolveCaOptions } from '../../ca/ca-options';
import { readCaPassphrase } from '../../ca/ca-passphrase';
import { newCa, newCaWrites } from '../../ca/create-ca';
import { assertNoCaAnywhere, describeExistingCa } from '../../ca/load-ca';
import { describeRotation, moveAside, planRotation } from '../../ca/rotate-ca';
import { formatDay } from '../../common/format-day';
import {
  announceWrites,
  defaultEnvironment,
  type GeneratorEnvironment,
  writeFilesCallback,
} from '../../common/generator-support';
import { withHintInMessage } from '../../common/hint-in-message';
import { readTreeConfig } from '../../common/workspace-config';
import type { CaGeneratorSchema } from './schema';

/** `nx g ca`: create, adopt or rotate the workspace CA. */
export default async function caGenerator(
  tree: Tree,
  schema: CaGeneratorSchema,
): Promise<GeneratorCallback | undefined> {
  try {
    return await generateCa(tree, schema, defaultEnvironment());
  } catch (error) {
    throw withHintInMessage(error);
  }
}

/**
 * The generator with its environment injected. Checks every input, the CA files where homefaas.json puts
 * them (and the default place), reads the passphrase and builds (or adopts) the CA in memory before anything
 * is written; see `writeFilesCallback` for how files are written. An existing CA key is never written over:
 * `--rotate` moves the current pair aside first, and the new key is created only where no file is.
 */
export async function generateCa(
  tree: Tree,
  schema: CaGeneratorSchema,
  environment: GeneratorEnvironment,
): Promise<GeneratorCallback | undefined> {
  const { logger } = environment;
  const root = tree.root;
  const options = resolveCaOptions(schema);
  const imported = options.import === undefined ? undefined : await readCaImport(options.import);
  const location = resolveCaLocation(root, readTreeConfig(tree).ca);
  if (!options.rotate) {
    const existing = await describeExistingCa(location, logger);
    if (existing !== undefined) {
      logger.info(`A CA already exists: ${existing}. Nothing changed.`);
      logger.info(
        `  To replace it, run \`${CREATE_CA_COMMAND} --rotate\` (the current pair moves to an old/<date>/ folder next to it).`,
      );
      return undefined;
    }
    await assertNoCaAnywhere(location);
  }
  if (imported === undefined && options.permittedDomains.length === 0) {
    logger.warn(
      'This CA has no DNS name constraints: anyone who gets its key can issue certificates for any site, your bank included, that every device trusting it accepts.',
    );
  }

  const passphrase = await readCaPassphrase({
    label: 'New CA key passphrase',
    confirm: true,
    env: environment.env,
    input: environment.input,
  });
  const ca = imported
    ? await adoptCa(imported, { ...environment, newPassphrase: passphrase })
    : await newCa(options, environment.now);

  const moves = options.rotate ? await planRotation(location, environment.now ?? new Date()) : [];
  if (moves.length > 0) logger.info(`Rotating: ${await describeRotation(location, moves)}.`);
  const writes = newCaWrites(location, ca, passphrase);

  const info = describeCertificate(ca.certPem);
  logger.info(
    `${imported ? 'Adopting' : 'Creating'} CA ${info.subject}, valid until ${formatDay(info.notAfter)}`,
  );
  logger.info(`  name constraints: ${describeConstraints(info.permittedDomains, info.permittedIps)}`);
  logger.info(`  SHA-256 fingerprint ${info.fingerprintSha256}`);
  announceWrites(root, writes, logger);
  const write = writeFilesCallback(root, writes, logger, () =>
    logger.info(
      `Commit ${location.certDisplayPath}; ${location.keyDisplayPath} stays on this machine (git-ignored): back it up.`,
    ),
  );
  return async () => {
    await moveAside(moves, root);
    await write();
  };
}

function describeConstraints(domains: readonly string[], ips: readonly string[]): string {
  const dns = domains.length > 0 ? `DNS ${domains.join(', ')}` : 'DNS unconstrained';
  const ip = ips.length > 0 ? `IP ${ips.join(', ')}` : 'IP unconstrained';
  return `${dns}; ${ip}`;
}
