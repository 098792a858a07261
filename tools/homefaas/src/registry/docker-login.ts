import { join } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import type { runCommand } from '@homefaas/docker-engine';
import { readOptional } from '../common/read-optional';
import type { StepResult } from '../common/step';
import { writeFileAtomic } from '../common/write-file-atomic';

/** A registry user and password. */
export interface DockerCredentials {
  username: string;
  password: string;
}

/** Where the credentials for a registry live: the config file itself, or a credential helper. */
export type CredentialStore =
  | { kind: 'file'; path: string }
  | { kind: 'helper'; helper: string; path: string };

/** How processes are started (the docker-engine lib's `runCommand`; tests may pass their own). */
export type RunCommand = typeof runCommand;

/** Input of {@link ensureDockerLogin} and {@link readDockerLogin}. */
export interface DockerLoginOptions {
  /** The Docker CLI config folder: `$DOCKER_CONFIG`, else `~/.docker`. */
  configDir: string;
  /** `host:port` of the registry. */
  address: string;
  /** Environment for `docker` and credential helpers (DOCKER_CONFIG set to `configDir`). */
  env: NodeJS.ProcessEnv;
  run: RunCommand;
}

/** Where a workspace's registry settings say Docker keeps its login (the registry settings' fields). */
export interface DockerLoginPlace {
  dockerConfigDir: string;
  address: string;
  commandEnv: NodeJS.ProcessEnv;
}

/** The {@link DockerLoginOptions} of a workspace's registry. */
export function dockerLoginOptions(place: Readonly<DockerLoginPlace>, run: RunCommand): DockerLoginOptions {
  return { configDir: place.dockerConfigDir, address: place.address, env: place.commandEnv, run };
}

type DockerConfigFile = {
  auths?: Record<string, { auth?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
} & Record<string, unknown>;

/** The Docker CLI config file in `configDir`. */
export function dockerConfigFile(configDir: string): string {
  return join(configDir, 'config.json');
}

/** Where `docker login` would keep the credentials of `address`: `credHelpers` wins over `credsStore`. */
export async function credentialStoreFor(configDir: string, address: string): Promise<CredentialStore> {
  const path = dockerConfigFile(configDir);
  const config = await readDockerConfig(path);
  const helper = config.credHelpers?.[address] ?? config.credsStore;
  return helper ? { kind: 'helper', helper, path } : { kind: 'file', path };
}

/** The credentials Docker has for `address`, or `undefined` when it has none. */
export async function readDockerLogin(options: DockerLoginOptions): Promise<DockerCredentials | undefined> {
  const store = await credentialStoreFor(options.configDir, options.address);
  if (store.kind === 'helper') return readFromHelper(store.helper, options);
  const config = await readDockerConfig(store.path);
  const entry = config.auths?.[options.address] ?? config.auths?.[`https://${options.address}`];
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at < 0) return undefined;
  return { username: decoded.slice(0, at), password: decoded.slice(at + 1) };
}

/**
 * Logs Docker in to the registry the way `docker login` does: an `auths` entry in config.json (other keys
 * kept), or, when a credential helper is configured, `docker login --password-stdin` so the helper stores it.
 * Unchanged when Docker already has exactly these credentials.
 */
export async function ensureDockerLogin(
  options: DockerLoginOptions & { credentials: DockerCredentials },
): Promise<StepResult> {
  const name = 'docker login';
  const { address, credentials } = options;
  const current = await readDockerLogin(options);
  if (current?.username === credentials.username && current.password === credentials.password) {
    return { name, changed: false, detail: `Docker is logged in to ${address} as ${credentials.username}` };
  }
  const store = await credentialStoreFor(options.configDir, address);
  if (store.kind === 'helper') {
    const result = await options.run(
      'docker',
      ['login', '--username', credentials.username, '--password-stdin', address],
      {
        env: options.env,
        input: credentials.password,
        secrets: [credentials.password],
      },
    );
    if (result.exitCode !== 0) {
      throw new HomefaasError('ERR_DOCKER_LOGIN', `\`${result.command}\` failed: ${result.output.trim()}`, {
        hint: `Check that the registry is up and trusted (npx nx run infra:doctor), and the credential helper docker-credential-${store.helper}.`,
      });
    }
    return {
      name,
      changed: true,
      detail: `logged in to ${address} as ${credentials.username} (credential helper ${store.helper})`,
    };
  }
  const config = await readDockerConfig(store.path);
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const next = { ...config, auths: { ...config.auths, [address]: { ...config.auths?.[address], auth } } };
  await writeFileAtomic(store.path, `${JSON.stringify(next, null, '\t')}\n`, { mode: 0o600 });
  return {
    name,
    changed: true,
    detail: `logged in to ${address} as ${credentials.username} (${store.path})`,
  };
}

async function readFromHelper(
  helper: string,
  options: DockerLoginOptions,
): Promise<DockerCredentials | undefined> {
  const result = await options.run(`docker-credential-${helper}`, ['get'], {
    env: options.env,
    input: options.address,
  });
  // A helper answers "credentials not found" with a non-zero exit.
  if (result.exitCode !== 0) return undefined;
  try {
    const answer = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
    if (!answer.Username || answer.Secret === undefined) return undefined;
    return { username: answer.Username, password: answer.Secret };
  } catch {
    return undefined;
  }
}

async function readDockerConfig(path: string): Promise<DockerConfigFile> {
  const text = (await readOptional(path)) ?? '';
  if (text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as DockerConfigFile;
  } catch (error) {
    throw new HomefaasError('ERR_DOCKER_CONFIG', `${path} is not valid JSON: ${(error as Error).message}`, {
      hint: `Fix or remove ${path} (it holds Docker's registry logins).`,
      cause: error,
    });
  }
  throw new HomefaasError('ERR_DOCKER_CONFIG', `${path} is not a JSON object.`, {
    hint: `Fix or remove ${path} (it holds Docker's registry logins).`,
  });
}
