import { HomefaasError } from '@homefaas/core';
import { verifyUser } from '@homefaas/htpasswd';
import { readOptional } from '../common/read-optional';
import { type DockerCredentials, dockerLoginOptions, type RunCommand, readDockerLogin } from './docker-login';
import type { ResolvedRegistrySettings } from './registry-settings';

/**
 * The registry user's password: REGISTRY_PASSWORD (or its file); else the password Docker is already logged
 * in with, when the htpasswd file accepts it (so a second run needs no secret); else a prompt on a terminal.
 */
export async function resolveRegistryCredentials(
  settings: Readonly<ResolvedRegistrySettings>,
  run: RunCommand,
): Promise<DockerCredentials> {
  const username = settings.user;
  const password = await settings.secrets.registryPassword();
  if (password !== undefined) return { username, password };
  const stored = await readDockerLogin(dockerLoginOptions(settings, run));
  const htpasswd = (await readOptional(settings.files.htpasswd)) ?? '';
  if (stored?.username === username && verifyUser(htpasswd, username, stored.password)) return stored;
  const asked = await settings.secrets.askRegistryPassword();
  if (asked !== undefined) return { username, password: asked };
  throw new HomefaasError('ERR_SECRET_MISSING', `No password for registry user ${username}.`, {
    hint: 'Set REGISTRY_PASSWORD, or REGISTRY_PASSWORD_FILE to the path of a file that contains it.',
  });
}
