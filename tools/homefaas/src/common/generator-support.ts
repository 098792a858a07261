import type { Logger } from '@homefaas/core';
import type { GeneratorCallback } from '@nx/devkit';
import { createConsoleLogger } from './console-logger';
import { withHintInMessage } from './hint-in-message';
import type { SecretPromptInput } from './secret-input';
import { type PlannedWrite, shownPath, writePlannedFiles } from './workspace-files';

/** What the generators read from outside their options; tests pass their own. */
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
      logger.info(`  wrote ${shownPath(write.path, root)}${describeMode(write.mode)}`);
    after();
  };
}

/** Lists what {@link writeFilesCallback} will write: the whole output of a `--dry-run`. */
export function announceWrites(root: string, writes: readonly PlannedWrite[], logger: Logger): void {
  for (const write of writes)
    logger.info(`  will write ${shownPath(write.path, root)}${describeMode(write.mode)}`);
}

function describeMode(mode: number): string {
  return mode === 0o600 ? ' (mode 0600)' : '';
}
