import { join } from 'node:path';
import {
  formatHomefaasConfig,
  HOMEFAAS_CONFIG_FILE,
  type HomefaasConfig,
  parseHomefaasConfig,
  type ResolvedHomefaasConfig,
} from '@homefaas/config';
import type { Tree } from '@nx/devkit';
import { readOptional } from './read-optional';

/** homefaas.json of the workspace at `root`, defaults filled; the defaults alone when the file does not exist. */
export async function readWorkspaceConfig(root: string): Promise<ResolvedHomefaasConfig> {
  return parseHomefaasConfig(await readOptional(join(root, HOMEFAAS_CONFIG_FILE)));
}

/** homefaas.json as a generator sees it (pending changes included), defaults filled. */
export function readTreeConfig(tree: Tree): ResolvedHomefaasConfig {
  return parseHomefaasConfig(tree.read(HOMEFAAS_CONFIG_FILE, 'utf8') ?? undefined);
}

/**
 * Sets the given registry fields in homefaas.json and keeps every other field as written (defaults are not
 * spelled out). Returns whether the file changed.
 */
export function updateRegistryConfig(tree: Tree, registry: NonNullable<HomefaasConfig['registry']>): boolean {
  const current = tree.read(HOMEFAAS_CONFIG_FILE, 'utf8') ?? undefined;
  // Validates the file as it is before touching it, so a broken file is reported, not overwritten.
  parseHomefaasConfig(current);
  const written = (current && current.trim() !== '' ? JSON.parse(current) : {}) as HomefaasConfig;
  const next = formatHomefaasConfig({ ...written, registry: { ...written.registry, ...registry } });
  if (next === current) return false;
  tree.write(HOMEFAAS_CONFIG_FILE, next);
  return true;
}
