import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The plugin's npm name. */
export const PLUGIN_PACKAGE_NAME = '@homefaas/nx-plugin';

let cachedRoot: string | undefined;

/**
 * The folder of the plugin's package.json: tools/homefaas in this repository, node_modules/@homefaas/nx-plugin
 * in a workspace that installed it. Found from this module's own place, which is the same in the sources and
 * in the built package (each built entry file sits under the package folder).
 */
export function pluginRoot(): string {
  cachedRoot ??= findPackageRoot(__dirname);
  return cachedRoot;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readName(manifest) === PLUGIN_PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`No package.json of ${PLUGIN_PACKAGE_NAME} above ${start}.`);
    }
  }
}

function readName(path: string): unknown {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
