import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import type { Tree } from '@nx/devkit';

/**
 * Where an `environment_file` of the faas-cli project goes: the same path, relative to the workspace root as it
 * was to the stack file's folder. A file already there with other content is a clash.
 */
export function copiedEnvironmentFile(
  tree: Tree,
  sourceRoot: string,
  path: string,
  copies: Map<string, Buffer>,
): { path: string; clash?: string } {
  const from = resolve(sourceRoot, path);
  const inside = relative(sourceRoot, from);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new HomefaasError(
      'ERR_IMPORT_ENV_FILE',
      `environment_file ${path} is outside the faas-cli project folder ${sourceRoot}.`,
      { hint: 'Move it into the project folder (and its stack file entry with it), then import again.' },
    );
  }
  const target = inside.split(sep).join('/');
  let content: Buffer;
  try {
    content = readFileSync(from);
  } catch (error) {
    throw new HomefaasError(
      'ERR_IMPORT_ENV_FILE',
      `Cannot read environment_file ${path}: ${(error as Error).message}`,
      {
        hint: 'environment_file paths are read relative to the folder of the faas-cli stack file.',
        cause: error,
      },
    );
  }
  copies.set(target, content);
  const existing = tree.read(target);
  return existing !== null && !existing.equals(content)
    ? {
        path: target,
        clash: `${target} already exists with other content (environment_file of the faas-cli project)`,
      }
    : { path: target };
}
