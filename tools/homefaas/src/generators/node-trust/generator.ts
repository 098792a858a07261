import { join } from 'node:path';
import { registryAddress } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import { hasUser, verifyUser } from '@homefaas/htpasswd';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { CREATE_CA_COMMAND, resolveCaLocation } from '../../ca/ca-location';
import { readCaCertificateText } from '../../ca/load-ca';
import {
  announceWrites,
  defaultEnvironment,
  type GeneratorEnvironment,
  writeFilesCallback,
} from '../../common/generator-support';
import { withHintInMessage } from '../../common/hint-in-message';
import { REGISTRY_PASSWORD_ENV, readSecret } from '../../common/secret-input';
import { readTreeConfig } from '../../common/workspace-config';
import { KEY_FILE_MODE, type PlannedWrite } from '../../common/workspace-files';
import { REGISTRY_DIR, registryRelativeFiles } from '../../registry/registry-layout';
import { NODE_CA_PATH, type NodeRuntime, renderReadme } from './readme';
import {
  type RegistryCredentials,
  renderContainerdHosts,
  renderFaasdDockerConfig,
  renderK3sRegistries,
  renderPullSecret,
  renderServiceAccountPatch,
} from './render';
import type { NodeTrustGeneratorSchema } from './schema';

/** Folder of everything node-trust renders, one sub-folder per runtime. */
export const NODE_TRUST_DIR = 'infra/openfaas';
const RUNTIMES: readonly NodeRuntime[] = ['faasd', 'k3s', 'containerd', 'kubernetes'];
/** Kubernetes object names (RFC 1123 subdomain). */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Every option checked and defaulted (options > homefaas.json > defaults). */
export interface ResolvedNodeTrustOptions {
  readonly runtime: NodeRuntime;
  readonly dir: string;
  readonly node: string;
  readonly namespace: string;
  readonly secretName: string;
  readonly serviceAccount: string;
  readonly address: string;
  readonly host: string;
  readonly ips: readonly string[];
  readonly user: string;
  /** Where homefaas.json says the CA is. */
  readonly ca: { certPath: string; keyPath: string };
}

/** The generator's outside world; `root` is where files holding credentials are written (the Tree's root). */
export interface NodeTrustEnvironment extends GeneratorEnvironment {
  root?: string;
}

/** `nx g node-trust`: render what the OpenFaaS host needs to pull from the private registry. */
export default async function nodeTrustGenerator(
  tree: Tree,
  schema: NodeTrustGeneratorSchema,
): Promise<GeneratorCallback | undefined> {
  try {
    return await generateNodeTrust(tree, schema, defaultEnvironment());
  } catch (error) {
    throw withHintInMessage(error);
  }
}

/**
 * The generator with its environment injected. Files without secrets (CA copies, hosts.toml, the service
 * account patch, README.md) go through the Tree; files with registry credentials are written 0600 and
 * atomically by the returned callback, so `--dry-run` writes no credential. Their names (config.json,
 * registries.yaml, registry-secret.yaml under infra/openfaas/) are git-ignored.
 */
export async function generateNodeTrust(
  tree: Tree,
  schema: NodeTrustGeneratorSchema,
  environment: NodeTrustEnvironment,
): Promise<GeneratorCallback | undefined> {
  const options = normalizeOptions(tree, schema);
  const { logger } = environment;
  const root = environment.root ?? tree.root;
  const location = resolveCaLocation(tree.root, options.ca);
  const caPem = await readCaCertificateText(location, { tree });
  if (caPem === undefined) {
    throw new HomefaasError(
      'ERR_CA_MISSING',
      `No CA in this workspace: ${location.certDisplayPath} does not exist.`,
      {
        hint: `Create one first with \`${CREATE_CA_COMMAND}\`, then run \`npx nx g node-trust --runtime ${options.runtime}\` again.`,
      },
    );
  }
  const at = (file: string) => `${options.dir}/${file}`;
  const secret = (file: string, data: string): PlannedWrite => ({
    path: join(root, at(file)),
    data,
    mode: KEY_FILE_MODE,
  });
  const writes: PlannedWrite[] = [];

  switch (options.runtime) {
    case 'faasd': {
      const credentials = await readCredentials(tree, options, environment);
      tree.write(at('homeCA.pem'), caPem);
      writes.push(secret('config.json', renderFaasdDockerConfig(credentials)));
      break;
    }
    case 'k3s': {
      const credentials = await readCredentials(tree, options, environment);
      tree.write(at('homeCA.pem'), caPem);
      writes.push(secret('registries.yaml', renderK3sRegistries(credentials, NODE_CA_PATH.k3s)));
      break;
    }
    case 'containerd': {
      const folder = `certs.d/${options.address}`;
      const caOnNode = `${NODE_CA_PATH.containerdDir}/${options.address}/homeCA.pem`;
      tree.write(at(`${folder}/homeCA.pem`), caPem);
      tree.write(at(`${folder}/hosts.toml`), renderContainerdHosts(options.address, caOnNode));
      break;
    }
    case 'kubernetes': {
      const credentials = await readCredentials(tree, options, environment);
      writes.push(
        secret('registry-secret.yaml', renderPullSecret(credentials, options.secretName, options.namespace)),
      );
      tree.write(at('serviceaccount-patch.yaml'), renderServiceAccountPatch(options.secretName));
      break;
    }
  }
  tree.write(at('README.md'), renderReadme({ ...options, runtime: options.runtime }));

  logger.info(`Rendered ${options.dir}/ for ${options.runtime}: apply it as ${at('README.md')} says.`);
  announceWrites(root, writes, logger);
  if (writes.length === 0) return undefined;
  return writeFilesCallback(root, writes, logger, () =>
    logger.info(`These files hold the registry password: keep them out of git and delete them once applied.`),
  );
}

/** Checks and defaults every option before anything is read or written. */
export function normalizeOptions(tree: Tree, schema: NodeTrustGeneratorSchema): ResolvedNodeTrustOptions {
  if (!RUNTIMES.includes(schema.runtime)) {
    throw new HomefaasError(
      'ERR_NODE_TRUST_RUNTIME',
      `--runtime ${JSON.stringify(schema.runtime)} is not supported.`,
      {
        hint: `Use one of ${RUNTIMES.join(', ')}.`,
      },
    );
  }
  const config = readTreeConfig(tree);
  const node = (schema.node ?? '<user>@<openfaas-host>').trim();
  if (node === '' || /\s/.test(node)) {
    throw new HomefaasError('ERR_NODE_TRUST_NODE', `--node ${JSON.stringify(node)} is not an ssh target.`, {
      hint: 'Give user@host, e.g. --node pi@faasd.home.lan.',
    });
  }
  const names = {
    namespace: schema.namespace ?? 'openfaas-fn',
    secretName: schema.secretName ?? 'homefaas-registry',
    serviceAccount: schema.serviceAccount ?? 'default',
  };
  for (const [option, value] of Object.entries(names)) {
    if (!K8S_NAME.test(value) || value.length > 253) {
      throw new HomefaasError(
        'ERR_NODE_TRUST_NAME',
        `--${option} ${JSON.stringify(value)} is not a Kubernetes name.`,
        {
          hint: "Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.",
        },
      );
    }
  }
  return {
    runtime: schema.runtime,
    dir: `${NODE_TRUST_DIR}/${schema.runtime}`,
    node,
    ...names,
    address: registryAddress(config),
    host: config.registry.host,
    ips: [...config.registry.ips],
    user: config.registry.user,
    ca: config.ca,
  };
}

/**
 * The registry user's password, checked against the registry's htpasswd when this workspace has it, so a
 * typo fails here instead of as an image pull error on the node.
 */
async function readCredentials(
  tree: Tree,
  options: ResolvedNodeTrustOptions,
  environment: NodeTrustEnvironment,
): Promise<RegistryCredentials> {
  const password = await readSecret({
    ...REGISTRY_PASSWORD_ENV,
    label: `Password of registry user ${options.user}`,
    env: environment.env,
    input: environment.input,
  });
  const htpasswdPath = `${REGISTRY_DIR}/${registryRelativeFiles(options.host).htpasswd}`;
  const htpasswd = tree.read(htpasswdPath, 'utf8');
  if (htpasswd !== null && hasUser(htpasswd, options.user) && !verifyUser(htpasswd, options.user, password)) {
    throw new HomefaasError(
      'ERR_REGISTRY_PASSWORD_MISMATCH',
      `The password given is not the one of registry user ${options.user} in ${htpasswdPath}.`,
      {
        hint: `Set ${REGISTRY_PASSWORD_ENV.envVar} (or ${REGISTRY_PASSWORD_ENV.fileEnvVar}) to that user's password.`,
      },
    );
  }
  return { address: options.address, username: options.user, password };
}
