import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  assertCaCommonName,
  assertCaDays,
  assertCaKeyBits,
  assertPermittedDomain,
  type CaMaterial,
  certificateTextProblem,
  createCa,
  DEFAULT_CA_KEY_BITS,
  describeCertificate,
  isEncryptedPrivateKey,
  parseCidr,
} from '@homefaas/certificates';
import { errorMessage, HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { CREATE_CA_COMMAND, shownPath } from '../../ca/ca-files';
import {
  assertNoCaAnywhere,
  type CaLocation,
  caKeyModeProblem,
  newCaWrites,
  readCaCertificateIfPresent,
  readCaKeyIfPresent,
  resolveCaLocation,
  unlockCaKey,
} from '../../ca/workspace-ca';
import { readOptionalSecret, readSecret } from '../../common/secret-input';
import { readTreeConfig } from '../../common/workspace-config';
import {
  announceWrites,
  defaultEnvironment,
  type GeneratorEnvironment,
  splitList,
  withHintInMessage,
  writeFilesCallback,
} from './generator-support';
import { moveAside, planRotation } from './rotation';
import type { CaGeneratorSchema } from './schema';

/** Environment variables of the CA passphrase and of an imported key's current passphrase. */
export const CA_PASSPHRASE_ENV = {
  envVar: 'HOMEFAAS_CA_PASSPHRASE',
  fileEnvVar: 'HOMEFAAS_CA_PASSPHRASE_FILE',
};
export const CA_IMPORT_PASSPHRASE_ENV = {
  envVar: 'HOMEFAAS_CA_IMPORT_PASSPHRASE',
  fileEnvVar: 'HOMEFAAS_CA_IMPORT_PASSPHRASE_FILE',
};

/** Every option checked and defaulted; imported files already read. */
export interface ResolvedCaOptions {
  readonly commonName: string;
  readonly permittedDomains: readonly string[];
  readonly permittedIps: readonly string[];
  readonly days: number;
  readonly keyBits: 3072 | 4096;
  readonly rotate: boolean;
  readonly import?: {
    readonly certPath: string;
    readonly certPem: string;
    readonly keyPath: string;
    readonly keyPem: string;
  };
}

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
  const options = await normalizeOptions(schema);
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
  if (options.import === undefined && options.permittedDomains.length === 0) {
    logger.warn(
      'This CA has no DNS name constraints: anyone who gets its key can issue certificates for any site, your bank included, that every device trusting it accepts.',
    );
  }

  const passphrase = await readSecret({
    ...CA_PASSPHRASE_ENV,
    label: 'New CA key passphrase',
    confirm: true,
    env: environment.env,
    input: environment.input,
  });
  const ca = options.import
    ? await adoptCa(options.import, passphrase, environment)
    : await createCa({
        commonName: options.commonName,
        permittedDomains: [...options.permittedDomains],
        permittedIps: [...options.permittedIps],
        days: options.days,
        keyBits: options.keyBits,
        now: environment.now,
      });

  const moves = options.rotate ? await planRotation(location, environment.now ?? new Date()) : [];
  if (moves.length > 0) {
    const to = [...new Set(moves.map((move) => shownPath(move.to, root).replace(/\/[^/]+$/, '/')))];
    logger.info(
      `Rotating: the current CA (${await describeForRotation(location)}) moves to ${to.join(' and ')}.`,
    );
  }
  // An interruption between key and certificate leaves a key without certificate, which every command
  // reports (and a failed write removes it again).
  const writes = newCaWrites(location, ca, passphrase);

  const info = describeCertificate(ca.certPem);
  logger.info(
    `${options.import ? 'Adopting' : 'Creating'} CA ${info.subject}, valid until ${info.notAfter.toISOString().slice(0, 10)}`,
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

/** Checks and defaults every option, and reads the files to import, before anything else happens. */
export async function normalizeOptions(schema: CaGeneratorSchema): Promise<ResolvedCaOptions> {
  const commonName = assertCaCommonName(schema.commonName ?? 'homefaas CA', '--commonName');
  const domains = splitList(schema.permittedDomains ?? 'home.lan,home.arpa');
  const permittedDomains = domains.items.map((domain) => assertPermittedDomain(domain, '--permittedDomains'));
  if (!domains.none && domains.items.length === 0) {
    throw new HomefaasError('ERR_CA_CONSTRAINTS', '--permittedDomains is empty.', {
      hint: 'Give the domains the CA may sign (e.g. home.lan,home.arpa), or "none" for an unconstrained CA.',
    });
  }
  const ips = splitList(
    schema.permittedIps ?? '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,::1/128,fd00::/8',
  );
  for (const cidr of ips.items) parseCidr(cidr, '--permittedIps');
  const days = schema.days ?? 3650;
  assertCaDays(days, '--days');
  const keyBits = assertCaKeyBits(schema.keyBits ?? DEFAULT_CA_KEY_BITS, '--keyBits');
  if ((schema.importCert === undefined) !== (schema.importKey === undefined)) {
    throw new HomefaasError('ERR_CA_IMPORT', 'Adopting a CA needs both --importCert and --importKey.', {
      hint: 'Give the CA certificate with --importCert FILE and its key with --importKey FILE.',
    });
  }
  const resolved: ResolvedCaOptions = {
    commonName,
    permittedDomains,
    permittedIps: ips.items,
    days,
    keyBits,
    rotate: schema.rotate ?? false,
  };
  if (schema.importCert === undefined || schema.importKey === undefined) return resolved;
  const certPath = resolve(schema.importCert);
  const keyPath = resolve(schema.importKey);
  const certPem = await readImport(certPath, '--importCert');
  const keyPem = await readImport(keyPath, '--importKey');
  return { ...resolved, import: { certPath, certPem, keyPath, keyPem } };
}

/** Decrypts the imported key (its own passphrase first, else the new one) and checks the pair. */
async function adoptCa(
  imported: NonNullable<ResolvedCaOptions['import']>,
  newPassphrase: string,
  environment: GeneratorEnvironment,
): Promise<CaMaterial> {
  const problem = certificateTextProblem(imported.certPem);
  if (problem !== undefined) {
    throw new HomefaasError('ERR_CA_IMPORT', `--importCert ${imported.certPath} ${problem.detail}.`, {
      hint: 'Give the CA certificate in PEM (convert DER with openssl x509 -inform der -in FILE -out FILE.pem).',
    });
  }
  const info = describeCertificate(imported.certPem);
  if (!info.isCa) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `--importCert ${imported.certPath} is not a CA certificate (no CA:TRUE).`,
      {
        hint: 'Give the root certificate that signed your server certificates, not a server certificate.',
      },
    );
  }
  const current = isEncryptedPrivateKey(imported.keyPem)
    ? ((await readOptionalSecret({
        ...CA_IMPORT_PASSPHRASE_ENV,
        label: 'Current passphrase of the imported key (Enter: same as the new one)',
        env: environment.env,
        input: environment.input,
      })) ?? newPassphrase)
    : newPassphrase;
  const { keyPem } = unlockCaKey({
    certPem: imported.certPem,
    keyText: imported.keyPem,
    certShown: `--importCert ${imported.certPath}`,
    keyShown: `--importKey ${imported.keyPath}`,
    passphrase: current,
    passphraseSources: `${CA_IMPORT_PASSPHRASE_ENV.envVar} (or ${CA_IMPORT_PASSPHRASE_ENV.fileEnvVar})`,
    mismatchCode: 'ERR_CA_IMPORT_MISMATCH',
  });
  if (info.notAfter.getTime() < (environment.now ?? new Date()).getTime()) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `--importCert ${imported.certPath} expired on ${info.notAfter.toISOString()}.`,
      {
        hint: `Create a new CA with \`${CREATE_CA_COMMAND} --rotate\` instead.`,
      },
    );
  }
  if (info.permittedDomains.length === 0) {
    environment.logger.warn(
      'The imported CA has no DNS name constraints: its key can sign certificates for any site.',
    );
  }
  return { certPem: imported.certPem, keyPem };
}

async function readImport(path: string, inputName: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `Cannot read ${inputName} ${path}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}.`,
      {
        hint: 'Give the path of the file, relative to the current directory or absolute.',
        cause: error,
      },
    );
  }
}

/**
 * The CA at its configured place, in words, or `undefined` when it has no certificate there. A damaged or
 * unreadable certificate or key throws its own error (a non-zero exit that says what to do), and a key
 * open to other users is warned about.
 */
async function describeExistingCa(location: CaLocation, logger: Logger): Promise<string | undefined> {
  const pem = await readCaCertificateIfPresent(location);
  const key = await readCaKeyIfPresent(location);
  if (pem === undefined) return undefined;
  const mode = await caKeyModeProblem(location);
  if (mode !== undefined) logger.warn(`${mode.problem}. ${mode.fix}`);
  const info = describeCertificate(pem);
  const keyNote = key === undefined ? `; its key ${location.keyDisplayPath} is not on this machine` : '';
  return `${location.certDisplayPath}, ${info.subject}, valid until ${info.notAfter.toISOString().slice(0, 10)}${keyNote}`;
}

/** What `--rotate` moves aside, in words; a damaged pair is moved too, and said to be damaged. */
async function describeForRotation(location: CaLocation): Promise<string> {
  try {
    return (
      (await describeExistingCa(location, SILENT_LOGGER)) ??
      `${location.keyDisplayPath} without a certificate`
    );
  } catch (error) {
    return `damaged: ${errorMessage(error)}`;
  }
}

function describeConstraints(domains: readonly string[], ips: readonly string[]): string {
  const dns = domains.length > 0 ? `DNS ${domains.join(', ')}` : 'DNS unconstrained';
  const ip = ips.length > 0 ? `IP ${ips.join(', ')}` : 'IP unconstrained';
  return `${dns}; ${ip}`;
}
