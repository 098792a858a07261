import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { assertDnsName } from '@homefaas/certificates';
import type { ResolvedHomefaasConfig } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import { type CaLocation, resolveCaLocation } from '../ca/ca-location';
import { readCaPassphrase } from '../ca/ca-passphrase';
import { REGISTRY_PASSWORD_ENV, readOptionalSecret, type SecretPromptInput } from '../common/secret-input';
import { REGISTRY_CERT_FOLDER, REGISTRY_DIR, type RegistryFiles, registryFiles } from './registry-layout';

/** Options the registry executors accept; each overrides homefaas.json. */
export interface RegistrySettingsOptions {
  host?: string;
  port?: number;
  user?: string;
  container?: string;
  image?: string;
  /** `host` (Linux default) or `bridge` (published port; Docker Desktop default). */
  network?: 'host' | 'bridge';
  /** Replace a registry container that differs from the expected one (data/ is kept). */
  recreate?: boolean;
  /** Replace the htpasswd password of an existing user with REGISTRY_PASSWORD (otherwise a mismatch is refused). */
  changePassword?: boolean;
  /** Root of the daemon's registry trust (`/etc/docker/certs.d`). */
  certsDir?: string;
  /** Docker CLI config folder (default `$DOCKER_CONFIG`, else `~/.docker`). */
  dockerConfig?: string;
  /** Seconds to wait for the registry to answer after starting it. */
  timeout?: number;
  /** Validity of a newly issued registry certificate, in days. */
  days?: number;
}

/** Where the settings come from besides the options. */
export interface RegistrySettingsContext {
  root: string;
  config: ResolvedHomefaasConfig;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Ask for missing secrets on a terminal (registry-up) or never (doctor). */
  interactive?: boolean;
}

/** Everything the registry steps need, resolved once: steps never read options, files or env themselves. */
export interface ResolvedRegistrySettings {
  root: string;
  host: string;
  port: number;
  /** `host:port`, as image references and certs.d spell it. */
  address: string;
  user: string;
  ips: readonly string[];
  container: string;
  image: string;
  network: 'host' | 'bridge';
  recreate: boolean;
  /** The htpasswd password of an existing user may be replaced. */
  changePassword: boolean;
  /** Validity of a newly issued registry certificate; a reissue keeps its own when not given. */
  certDays?: number;
  /** How long to wait for the registry to answer after a start. */
  answerTimeoutMs: number;
  /** Root of the Docker daemon's registry trust (`/etc/docker/certs.d`), absolute. */
  daemonCertsDir: string;
  dockerConfigDir: string;
  /** Environment for `docker` and credential helpers (with DOCKER_CONFIG pinned). */
  commandEnv: NodeJS.ProcessEnv;
  files: RegistryFiles;
  /** The registry certificate's folder relative to the root (`files.serverCertDir` is the absolute one). */
  serverCertDisplayDir: string;
  /** The workspace CA's files, from homefaas.json (see `resolveCaLocation`). */
  ca: CaLocation;
  secrets: {
    /** REGISTRY_PASSWORD, else the file named by REGISTRY_PASSWORD_FILE; undefined when neither is set. */
    registryPassword(): Promise<string | undefined>;
    /** Asks for the registry password on the terminal (interactive runs only); undefined when it cannot. */
    askRegistryPassword(): Promise<string | undefined>;
    /** HOMEFAAS_CA_PASSPHRASE, its _FILE, or a prompt; throws ERR_SECRET_MISSING when none. */
    caPassphrase(): Promise<string>;
  };
}

// An input that is not a terminal: readOptionalSecret then never prompts.
const NO_TERMINAL = new PassThrough() as SecretPromptInput;

/** Default wait for the registry to answer after a start (a local container: seconds, not minutes). */
export const DEFAULT_REGISTRY_ANSWER_TIMEOUT_SECONDS = 60;

/** Options + homefaas.json + environment → one frozen settings object (the executors' normalizeOptions). */
export function resolveRegistrySettings(
  options: RegistrySettingsOptions,
  context: RegistrySettingsContext,
): Readonly<ResolvedRegistrySettings> {
  const { root, config, env } = context;
  const registry = config.registry;
  const host = options.host ?? registry.host;
  assertDnsName(host, 'host');
  const port = options.port ?? registry.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HomefaasError('ERR_OPTION_INVALID', `port ${port} is not a TCP port.`, {
      hint: 'Use a whole number from 1 to 65535 (the registry default is 5000).',
    });
  }
  const timeout = options.timeout ?? DEFAULT_REGISTRY_ANSWER_TIMEOUT_SECONDS;
  if (!(timeout > 0)) {
    throw new HomefaasError('ERR_OPTION_INVALID', `timeout ${timeout} is not a positive number of seconds.`);
  }
  const dockerConfigDir = absolute(
    root,
    options.dockerConfig ?? env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'),
  );
  const prompt: SecretPromptInput | undefined = context.interactive
    ? undefined
    : (new PassThrough() as SecretPromptInput);
  const cached = <T>(read: () => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => {
      value ??= read();
      return value;
    };
  };
  const passwordSpec = {
    ...REGISTRY_PASSWORD_ENV,
    label: `Password of registry user ${options.user ?? registry.user}`,
    env,
  };
  return Object.freeze({
    root,
    host,
    port,
    address: `${host}:${port}`,
    user: options.user ?? registry.user,
    ips: Object.freeze([...registry.ips]),
    container: options.container ?? registry.container,
    image: options.image ?? registry.image,
    network: options.network ?? ((context.platform ?? process.platform) === 'linux' ? 'host' : 'bridge'),
    recreate: options.recreate ?? false,
    changePassword: options.changePassword ?? false,
    ...(options.days === undefined ? {} : { certDays: options.days }),
    answerTimeoutMs: Math.round(timeout * 1000),
    daemonCertsDir: absolute(root, options.certsDir ?? config.docker.certsDir),
    dockerConfigDir,
    commandEnv: { ...env, DOCKER_CONFIG: dockerConfigDir },
    files: registryFiles(root, host),
    serverCertDisplayDir: `${REGISTRY_DIR}/${REGISTRY_CERT_FOLDER}`,
    ca: Object.freeze(resolveCaLocation(root, config.ca)),
    secrets: {
      registryPassword: cached(() => readOptionalSecret({ ...passwordSpec, input: NO_TERMINAL })),
      askRegistryPassword: cached(() => readOptionalSecret({ ...passwordSpec, env: {}, input: prompt })),
      caPassphrase: cached(() => readCaPassphrase({ label: 'CA passphrase', env, input: prompt })),
    },
  });
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}
