import { join } from 'node:path';
import { HomefaasError, isHomefaasError, type Logger } from '@homefaas/core';
import type { GeneratorCallback } from '@nx/devkit';
import { type PlannedWrite, writePlannedFiles } from '../../ca/ca-files';
import { createConsoleLogger } from '../../common/console-logger';
import type { SecretPromptInput } from '../../common/secret-input';

/** What the certificate generators read from outside their options; tests pass their own. */
export interface GeneratorEnvironment {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Terminal for passphrase prompts; a prompt happens only when it is a TTY. */
  input?: SecretPromptInput;
  now?: Date;
}

/** The environment of a real `nx g` run. */
export function defaultEnvironment(): GeneratorEnvironment {
  return { env: process.env, logger: createConsoleLogger() };
}

/**
 * Splits a comma-separated option (Nx may also hand over an array when the flag is repeated) into trimmed,
 * non-empty items. `none` alone means an explicitly empty list.
 */
export function splitList(value: string | string[] | undefined): { items: string[]; none: boolean } {
  const raw = (Array.isArray(value) ? value : [value ?? '']).flatMap((part) => String(part).split(','));
  const items = raw.map((item) => item.trim()).filter((item) => item !== '');
  const none = items.length === 1 && items[0]?.toLowerCase() === 'none';
  return { items: none ? [] : items, none };
}

/**
 * Why key material bypasses the Nx Tree: Nx flushes the Tree with plain `writeFileSync` and only then
 * `chmod`s (nx/src/generators/tree.js `flushChanges`), so a key would be briefly world-readable and an
 * interrupted flush could leave half a file. Instead the generator computes everything in memory, changes
 * nothing in the Tree, and returns this callback; Nx runs callbacks only after a real flush, never with
 * `--dry-run`, and the callback writes each file to a temporary name and renames it (key files 0600 from
 * the first byte; a file marked `exclusive`, a CA key, only where no file is). Errors name the file and say
 * what to do.
 */
export function writeFilesCallback(
  root: string,
  writes: readonly PlannedWrite[],
  logger: Logger,
  after: () => void = () => {},
): GeneratorCallback {
  return async () => {
    try {
      await writePlannedFiles(writes, root);
    } catch (error) {
      throw withHintInMessage(error);
    }
    for (const write of writes)
      logger.info(`  wrote ${relative(root, write.path)}${describeMode(write.mode)}`);
    after();
  };
}

/** Lists what {@link writeFilesCallback} will write: the whole output of a `--dry-run`. */
export function announceWrites(root: string, writes: readonly PlannedWrite[], logger: Logger): void {
  for (const write of writes)
    logger.info(`  will write ${relative(root, write.path)}${describeMode(write.mode)}`);
}

/** Makes the hint part of the message: Nx prints only the message of a failed generator. */
export function withHintInMessage(error: unknown): unknown {
  if (!isHomefaasError(error) || !error.hint) return error;
  return new HomefaasError(error.code, `${error.message}\n→ ${error.hint}`, { cause: error });
}

/** Absolute path of a workspace-relative path. */
export function inWorkspace(root: string, path: string): string {
  return join(root, path);
}

function relative(root: string, path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function describeMode(mode: number): string {
  return mode === 0o600 ? ' (mode 0600)' : '';
}
