import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCertificate, issueServerCertificate } from '@homefaas/certificates';
import { HomefaasError } from '@homefaas/core';
import { hasUser, setUser, verifyUser } from '@homefaas/htpasswd';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { resolveCaLocation } from '../../ca/ca-location';
import { readCaPassphrase } from '../../ca/ca-passphrase';
import { readCaCertificate, unlockCa } from '../../ca/load-ca';
import {
  chooseValidity,
  currentValidityDays,
  leafPaths,
  serverCertificateWrites,
} from '../../ca/server-certificate';
import { formatDay } from '../../common/format-day';
import {
  announceWrites,
  defaultEnvironment,
  type GeneratorEnvironment,
  writeFilesCallback,
} from '../../common/generator-support';
import { withHintInMessage } from '../../common/hint-in-message';
import { REGISTRY_PASSWORD_ENV, readOptionalSecret } from '../../common/secret-input';
import { updateRegistryConfig } from '../../common/workspace-config';
import type { PlannedWrite } from '../../common/workspace-files';
import { writePublishInputs } from '../../publish/publish-inputs';
import { certificateProblem, passwordMismatchError } from '../../registry/registry-files';
import { REGISTRY_DIR, REGISTRY_UP_COMMAND, registryRelativeFiles } from '../../registry/registry-layout';
import { renderComposeFile } from './compose-file';
import { normalizeOptions, type ResolvedRegistryOptions } from './normalize-options';
import type { RegistryGeneratorSchema } from './schema';

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
  const { pem: caPem } = await readCaCertificate(location, { tree, rerun: 'npx nx g registry' });

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
    const passphrase = await readCaPassphrase({
      label: 'CA passphrase',
      env: environment.env,
      input: environment.input,
    });
    const ca = await unlockCa(location, caPem, passphrase, {
      tree,
      neededFor: 'the registry certificate',
      offerRotate: false,
    });
    // A reissue keeps the validity of the certificate it replaces unless --days says otherwise.
    const validity = chooseValidity(options.days, currentValidityDays(certPem));
    const leaf = await issueServerCertificate(ca, {
      dnsNames: [options.host],
      ips: [...options.ips],
      days: validity.days,
      now: environment.now,
    });
    const until = formatDay(describeCertificate(leaf.certPem).notAfter);
    logger.info(
      `Issuing ${at(files.cert)} for ${names(options)}, valid until ${until}, ${validity.days} days ${validity.why} (${problem}).`,
    );
    writes.push(...serverCertificateWrites(leafPaths(tree.root, options.host, at('certs')), leaf));
  }

  const htpasswd = tree.read(at(files.htpasswd), 'utf8') ?? '';
  const password = await readOptionalSecret({
    ...REGISTRY_PASSWORD_ENV,
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
        hint: `Set ${REGISTRY_PASSWORD_ENV.envVar}, or ${REGISTRY_PASSWORD_ENV.fileEnvVar} to the path of a file that contains it (or run on a terminal to be asked).`,
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

function names(options: ResolvedRegistryOptions): string {
  return [options.host, ...options.ips].join(', ');
}
