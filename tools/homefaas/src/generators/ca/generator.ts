import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  assertDays,
  assertDnsName,
  type CaMaterial,
  createCa,
  DEFAULT_CA_KEY_BITS,
  decryptPrivateKey,
  describeCertificate,
  encryptPrivateKey,
  isEncryptedPrivateKey,
  keyMatchesCertificate,
  parseCidr,
} from '@homefaas/certificates';
import { errorMessage, HomefaasError, isHomefaasError } from '@homefaas/core';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import {
  CA_CERT_PATH,
  CA_KEY_PATH,
  CA_OLD_DIR,
  KEY_FILE_MODE,
  type PlannedWrite,
  readCaCertificate,
} from '../../lib/ca-files';
import { readOptionalSecret, readSecret } from '../../lib/secret-input';
import {
  announceWrites,
  defaultEnvironment,
  type GeneratorEnvironment,
  inWorkspace,
  splitList,
  withHintInMessage,
  writeFilesCallback,
} from './generator-support';
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
 * The generator with its environment injected. Checks every input, reads the passphrase and builds (or
 * adopts) the CA in memory before anything is written; see `writeFilesCallback` for how files are written.
 */
export async function generateCa(
  tree: Tree,
  schema: CaGeneratorSchema,
  environment: GeneratorEnvironment,
): Promise<GeneratorCallback | undefined> {
  const { logger } = environment;
  const root = tree.root;
  const options = await normalizeOptions(schema);
  const existingPem = await readCaCertificate(root);
  const existingKey = tree.exists(CA_KEY_PATH);
  if ((existingPem !== undefined || existingKey) && !options.rotate) {
    logger.info(`A CA already exists: ${describeExisting(existingPem)}. Nothing changed.`);
    logger.info(
      `  To replace it, run \`npx nx g ca --rotate\` (the current pair moves to ${CA_OLD_DIR}/<date>/).`,
    );
    return undefined;
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

  const writes: PlannedWrite[] = [];
  if (existingPem !== undefined || existingKey) {
    const oldDir = chooseOldDir(tree, environment.now ?? new Date());
    for (const [path, mode] of [
      [CA_CERT_PATH, 0o644],
      [CA_KEY_PATH, KEY_FILE_MODE],
    ] as const) {
      const content = tree.read(path, 'utf8');
      if (content !== null)
        writes.push({ path: inWorkspace(root, `${oldDir}/${path.split('/').pop()}`), data: content, mode });
    }
    logger.info(`Rotating: the current pair (${describeExisting(existingPem)}) moves to ${oldDir}/.`);
  }
  // Key before certificate: an interruption between the two leaves a pair that `loadCa` reports as
  // mismatched (and the previous pair is already safe in the old folder), never a half-written key.
  writes.push({
    path: inWorkspace(root, CA_KEY_PATH),
    data: encryptPrivateKey(ca.keyPem, passphrase),
    mode: KEY_FILE_MODE,
  });
  writes.push({ path: inWorkspace(root, CA_CERT_PATH), data: ca.certPem, mode: 0o644 });

  const info = describeCertificate(ca.certPem);
  logger.info(
    `${options.import ? 'Adopting' : 'Creating'} CA ${info.subject}, valid until ${info.notAfter.toISOString().slice(0, 10)}`,
  );
  logger.info(`  name constraints: ${describeConstraints(info.permittedDomains, info.permittedIps)}`);
  logger.info(`  SHA-256 fingerprint ${info.fingerprintSha256}`);
  announceWrites(root, writes, logger);
  return writeFilesCallback(root, writes, logger, () =>
    logger.info(`Commit ${CA_CERT_PATH}; ${CA_KEY_PATH} stays on this machine (git-ignored): back it up.`),
  );
}

/** Checks and defaults every option, and reads the files to import, before anything else happens. */
export async function normalizeOptions(schema: CaGeneratorSchema): Promise<ResolvedCaOptions> {
  const commonName = (schema.commonName ?? 'homefaas CA').trim();
  if (commonName === '') {
    throw new HomefaasError('ERR_CA_COMMON_NAME', '--commonName is empty.', {
      hint: 'Give the CA a name, e.g. --commonName "homefaas CA".',
    });
  }
  const domains = splitList(schema.permittedDomains ?? 'home.lan,home.arpa');
  for (const domain of domains.items) {
    assertDnsName(domain.replace(/^\./, ''), '--permittedDomains');
    if (domain.includes('*')) {
      throw new HomefaasError(
        'ERR_CERT_DNS_NAME',
        `--permittedDomains ${JSON.stringify(domain)} has a wildcard.`,
        {
          hint: 'A constraint covers every name under it: give home.lan, not *.home.lan.',
        },
      );
    }
  }
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
  assertDays(days, '--days');
  const keyBits = schema.keyBits ?? DEFAULT_CA_KEY_BITS;
  if (keyBits !== 3072 && keyBits !== 4096) {
    throw new HomefaasError('ERR_CA_KEY_BITS', `--keyBits ${keyBits} is not supported.`, {
      hint: 'Use 3072 or 4096.',
    });
  }
  if ((schema.importCert === undefined) !== (schema.importKey === undefined)) {
    throw new HomefaasError('ERR_CA_IMPORT', 'Adopting a CA needs both --importCert and --importKey.', {
      hint: 'Give the CA certificate with --importCert FILE and its key with --importKey FILE.',
    });
  }
  const resolved: ResolvedCaOptions = {
    commonName,
    permittedDomains: domains.items.map((domain) => domain.toLowerCase()),
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
  let info: ReturnType<typeof describeCertificate>;
  try {
    info = describeCertificate(imported.certPem);
  } catch (error) {
    throw new HomefaasError('ERR_CA_IMPORT', `--importCert ${imported.certPath} is not a PEM certificate.`, {
      cause: error,
    });
  }
  if (!info.isCa) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `--importCert ${imported.certPath} is not a CA certificate (no CA:TRUE).`,
      {
        hint: 'Give the root certificate that signed your server certificates, not a server certificate.',
      },
    );
  }
  let keyPem: string;
  try {
    const current = isEncryptedPrivateKey(imported.keyPem)
      ? ((await readOptionalSecret({
          ...CA_IMPORT_PASSPHRASE_ENV,
          label: 'Current passphrase of the imported key (Enter: same as the new one)',
          env: environment.env,
          input: environment.input,
        })) ?? newPassphrase)
      : newPassphrase;
    keyPem = decryptPrivateKey(imported.keyPem, current);
  } catch (error) {
    if (isHomefaasError(error, 'ERR_CA_PASSPHRASE')) {
      throw new HomefaasError(
        'ERR_CA_PASSPHRASE',
        `Cannot decrypt --importKey ${imported.keyPath}: wrong passphrase.`,
        {
          hint: `Set ${CA_IMPORT_PASSPHRASE_ENV.envVar} (or ${CA_IMPORT_PASSPHRASE_ENV.fileEnvVar}) to the key's current passphrase.`,
        },
      );
    }
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `--importKey ${imported.keyPath} is not a PEM private key: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  if (!keyMatchesCertificate(keyPem, imported.certPem)) {
    throw new HomefaasError(
      'ERR_CA_IMPORT_MISMATCH',
      `--importKey ${imported.keyPath} is not the key of --importCert ${imported.certPath}.`,
      {
        hint: 'Give the key file that was used to create that certificate.',
      },
    );
  }
  if (info.notAfter.getTime() < (environment.now ?? new Date()).getTime()) {
    throw new HomefaasError(
      'ERR_CA_IMPORT',
      `--importCert ${imported.certPath} expired on ${info.notAfter.toISOString()}.`,
      {
        hint: 'Create a new CA with `npx nx g ca --rotate` instead.',
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

/** infra/ca/old/<date>/, with a counter when that date already holds a rotated pair. */
function chooseOldDir(tree: Tree, now: Date): string {
  const base = `${CA_OLD_DIR}/${now.toISOString().slice(0, 10)}`;
  let dir = base;
  for (let n = 2; tree.exists(dir); n++) dir = `${base}-${n}`;
  return dir;
}

function describeExisting(pem: string | undefined): string {
  if (pem === undefined) return `${CA_KEY_PATH} without ${CA_CERT_PATH}`;
  try {
    const info = describeCertificate(pem);
    return `${CA_CERT_PATH}, ${info.subject}, valid until ${info.notAfter.toISOString().slice(0, 10)}`;
  } catch {
    return `${CA_CERT_PATH} (unreadable)`;
  }
}

function describeConstraints(domains: readonly string[], ips: readonly string[]): string {
  const dns = domains.length > 0 ? `DNS ${domains.join(', ')}` : 'DNS unconstrained';
  const ip = ips.length > 0 ? `IP ${ips.join(', ')}` : 'IP unconstrained';
  return `${dns}; ${ip}`;
}
