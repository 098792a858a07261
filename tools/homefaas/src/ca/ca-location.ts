import { isAbsolute, resolve } from 'node:path';
import { parseHomefaasConfig, type ResolvedHomefaasConfig } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';

/**
 * Where the workspace CA lives: homefaas.json `ca.certPath` and `ca.keyPath` (relative to the root, or
 * absolute). Every command finds the CA through {@link resolveCaLocation} and nothing else knows these paths.
 */
export interface CaLocation {
  root: string;
  certPath: string;
  keyPath: string;
  /** The paths as homefaas.json spells them, for messages. */
  certDisplayPath: string;
  keyDisplayPath: string;
}

/** A path the workspace knows a CA file by: the configured ones, and the defaults when they differ. */
export interface KnownCaFile {
  path: string;
  shown: string;
  role: 'certificate' | 'key';
  configured: boolean;
}

/** homefaas.json's defaults: `infra/ca/homeCA.pem` (committed) and `infra/ca/homeCA.key` (0600, git-ignored). */
export const DEFAULT_CA_PATHS: Readonly<ResolvedHomefaasConfig['ca']> = Object.freeze(
  parseHomefaasConfig(undefined).ca,
);
/** The command that creates the CA, for hints. */
export const CREATE_CA_COMMAND = 'npx nx g ca';
/** The command that replaces the CA (the old pair is moved aside), quoted for hints. */
export const ROTATE_CA_COMMAND = `\`${CREATE_CA_COMMAND} --rotate\``;

/** The CA's files from homefaas.json's `ca` section; refuses a key and certificate in one file. */
export function resolveCaLocation(
  root: string,
  ca: ResolvedHomefaasConfig['ca'] = DEFAULT_CA_PATHS,
): CaLocation {
  const location = {
    root,
    certPath: absolute(root, ca.certPath),
    keyPath: absolute(root, ca.keyPath),
    certDisplayPath: ca.certPath,
    keyDisplayPath: ca.keyPath,
  };
  if (location.certPath === location.keyPath) {
    throw new HomefaasError(
      'ERR_CA_PATHS',
      `homefaas.json ca.certPath and ca.keyPath name the same file (${ca.certPath}).`,
      {
        hint: `Give each its own file, e.g. "certPath": "${DEFAULT_CA_PATHS.certPath}", "keyPath": "${DEFAULT_CA_PATHS.keyPath}": the certificate is committed, the key never is.`,
      },
    );
  }
  return location;
}

/** Every path the workspace knows a CA file by: the configured certificate and key, then the defaults. */
export function knownCaFiles(location: CaLocation): KnownCaFile[] {
  const defaults = resolveCaLocation(location.root);
  const files: KnownCaFile[] = [
    { path: location.certPath, shown: location.certDisplayPath, role: 'certificate', configured: true },
    { path: location.keyPath, shown: location.keyDisplayPath, role: 'key', configured: true },
    { path: defaults.certPath, shown: defaults.certDisplayPath, role: 'certificate', configured: false },
    { path: defaults.keyPath, shown: defaults.keyDisplayPath, role: 'key', configured: false },
  ];
  return files.filter((file, i) => files.findIndex((other) => other.path === file.path) === i);
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}
