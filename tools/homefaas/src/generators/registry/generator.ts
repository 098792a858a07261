import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCertificate, issueServerCertificate, validityDays } from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import { hasUser, setUser, verifyUser } from '@homefaas/htpasswd';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { CREATE_CA_COMMAND, chooseValidity, KEY_FILE_MODE, type PlannedWrite } from '../../ca/ca-files';
import { readCaFileInTree, resolveCaLocation, unlockCaKey } from '../../ca/workspace-ca';
import { readOptionalSecret, readSecret } from '../../common/secret-input';
import { updateRegistryConfig } from '../../common/workspace-config';
import { certificateProblem, passwordMismatchError } from '../../registry/registry-files';
import { REGISTRY_DIR, REGISTRY_UP_COMMAND, registryRelativeFiles } from '../../registry/registry-layout';
import {
  announceWrites,
  defaultEnvironment,
  type GeneratorEnvironment,
  withHintInMessage,
  writeFilesCallback,
} from '../ca/generator-support';
import { writePublishInputs } from '../sync-publish-inputs/generator';
import { renderComposeFile } from './compose-file';
import { normalizeOptions, type ResolvedRegistryOptions } from './normalize-options';
import type { RegistryGeneratorSchema } from './schema';

const PASSWORD_ENV = { envVar: 'REGISTRY_PASSWORD', fileEnvVar: 'REGISTRY_PASSWORD_FILE' };
const PASSPHRASE_ENV = { envVar: 'HOMEFAAS_CA_PASSPHRASE', fileEnvVar: 'HOMEFAAS_CA_PASSPHRASE_FILE' };

/** `nx g registry`: render infra/registry/ for a TLS + htpasswd registry signed by the workspace CA. */
export default async function registryGenerator(
  tree: Tree,
  schema: RegistryGeneratorSchema,
): Promise<GeneratorCallback | undefined> {
  try {
    return await generateRegistry(tree, schema, defaultEnvironment());
  } catch (error) {
    throw withHintInMessage(error);
  }
}

/**
 * The generator with its environment injected. Every input is checked, the password read and the
 * certificate issued in memory before anything is written. The compose file, the CA copy and homefaas.json
 * go through the Tree; the key and the htpasswd file are written (0600, atomically) by the returned
 * callback, so `--dry-run` writes no secret.
 */
export async function generateRegistry(
  tree: Tree,
  schema: RegistryGeneratorSchema,
  environment: GeneratorEnvironment,
): Promise<GeneratorCallback | undefined> {
  const { logger } = environment;
  const options = normalizeOptions(tree, schema);
  const files = registryRelativeFiles(options.host);
  const at = (file: string) => `${REGISTRY_DIR}/${file}`;

  const location = resolveCaLocation(tree.root, options.ca);
  const caPem = readCaFileInTree(tree, location.certPath);
  if (caPem === undefined) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${location.certDisplayPath} does not exist.`,
      { hint: `Create one first with \`${CREATE_CA_COMMAND}\`, then run \`npx nx g registry\` again.` },
    );
  }

  const writes: PlannedWrite[] = [];
  const certPem = tree.read(at(files.cert), 'utf8') ?? undefined;
  const keyPem = tree.read(at(files.key), 'utf8') ?? undefined;
  const problem = options.renew
    ? 'renewal requested'
    : certificateProblem({
        certPem,
        keyPem,
        caPem,
        host: options.host,
        ips: options.ips,
        now: environment.now,
      });
  if (problem === undefined) {
    logger.info(`${at(files.cert)} is valid for ${names(options)} and signed by the CA: kept.`);
  } else {
    const passphrase = await readSecret({
      ...PASSPHRASE_ENV,
      label: 'CA passphrase',
      env: environment.env,
      input: environment.input,
    });
    const keyText = readCaFileInTree(tree, location.keyPath);
    if (keyText === undefined) {
      throw new HomefaasError(
        'ERR_CA_KEY_MISSING',
        `The CA key ${location.keyDisplayPath} does not exist, and it is needed to issue the registry certificate.`,
        {
          hint: `Run this where the CA key is kept, or restore it from your backup (it is never committed).`,
        },
      );
    }
    const ca = unlockCaKey({
      certPem: caPem,
      keyText,
      certShown: location.certDisplayPath,
      keyShown: location.keyDisplayPath,
      passphrase,
    });
    // A reissue keeps the validity of the certificate it replaces unless --days says otherwise.
    const current = certPem === undefined ? undefined : currentValidity(certPem);
    const validity = chooseValidity(options.days, current);
    const leaf = await issueServerCertificate(ca, {
      dnsNames: [options.host],
      ips: [...options.ips],
      days: validity.days,
      now: environment.now,
    });
    const until = describeCertificate(leaf.certPem).notAfter.toISOString().slice(0, 10);
    logger.info(
      `Issuing ${at(files.cert)} for ${names(options)}, valid until ${until}, ${validity.days} days ${validity.why} (${problem}).`,
    );
    // Key first, as everywhere: an interruption leaves a mismatched pair that the next run repairs.
    writes.push(
      { path: join(tree.root, at(files.key)), data: leaf.keyPem, mode: KEY_FILE_MODE },
      { path: join(tree.root, at(files.cert)), data: leaf.certPem, mode: 0o644 },
      {
        path: join(tree.root, at(`certs/${options.host}.fullchain.pem`)),
        data: leaf.fullchainPem,
        mode: 0o644,
      },
    );
  }

  const htpasswd = tree.read(at(files.htpasswd), 'utf8') ?? '';
  const password = await readOptionalSecret({
    ...PASSWORD_ENV,
    label: `Password for registry user ${options.user}`,
    confirm: true,
    env: environment.env,
    input: environment.input,
  });
  if (password === undefined && !hasUser(htpasswd, options.user)) {
    throw new HomefaasError(
      'ERR_SECRET_MISSING',
      `No password given for the new registry user ${options.user}.`,
      {
        hint: `Set ${PASSWORD_ENV.envVar}, or ${PASSWORD_ENV.fileEnvVar} to the path of a file that contains it (or run on a terminal to be asked).`,
      },
    );
  }
  if (password !== undefined && !verifyUser(htpasswd, options.user, password)) {
    if (hasUser(htpasswd, options.user) && !options.changePassword) {
      // registry-up also restarts the registry and logs in again, which a changed password needs.
      throw passwordMismatchError(
        options.user,
        at(files.htpasswd),
        `${REGISTRY_UP_COMMAND} --changePassword`,
      );
    }
    writes.push({
      path: join(tree.root, at(files.htpasswd)),
      data: setUser(htpasswd, options.user, password),
      mode: 0o600,
    });
    logger.info(
      `${hasUser(htpasswd, options.user) ? 'Updating' : 'Adding'} user ${options.user} in ${at(files.htpasswd)}.`,
    );
  } else {
    logger.info(
      `${at(files.htpasswd)} already has user ${options.user}${password ? ' with this password' : ''}: kept.`,
    );
  }

  tree.write(at(files.compose), renderComposeFile(options));
  tree.write(at(files.caCopy), caPem);
  updateRegistryConfig(tree, {
    host: options.host,
    port: options.port,
    user: options.user,
    ips: [...options.ips],
    ui: options.ui,
    image: options.image,
  });
  // The registry's address reaches every function's publish inputs.
  writePublishInputs(tree);

  announceWrites(tree.root, writes, logger);
  const dataDir = join(tree.root, at(files.data));
  const write = writeFilesCallback(tree.root, writes, logger, () =>
    logger.info('Next: npx nx run infra:registry-up (or `docker compose up -d` in infra/registry).'),
  );
  return async () => {
    await mkdir(dataDir, { recursive: true });
    await write();
  };
}

/** Decrypts the CA key (only called when a certificate must be issued). */
/** Validity in days of the current certificate, when it parses. */
function currentValidity(certPem: string): number | undefined {
  try {
    return validityDays(describeCertificate(certPem));
  } catch {
    return undefined;
  }
}

function names(options: ResolvedRegistryOptions): string {
  return [options.host, ...options.ips].join(', ');
}
