import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pluginRoot } from '../common/plugin-package';

/** Where a workspace keeps templates of its own, relative to its root (faas-cli's place for them). */
export const WORKSPACE_TEMPLATES_DIR = 'template';

/** The templates that ship inside the plugin's package. */
export function packagedTemplatesDir(): string {
  return join(pluginRoot(), 'template');
}

/**
 * The folder of template `lang`: the workspace's own `template/<lang>` when it has that folder, else the copy
 * inside the plugin's package. When neither exists, the workspace's path, which errors then name.
 */
export function resolveTemplateDir(
  workspaceRoot: string,
  lang: string,
  packagedDir: string = packagedTemplatesDir(),
): string {
  const own = join(workspaceRoot, WORKSPACE_TEMPLATES_DIR, lang);
  if (existsSync(own)) return own;
  const packaged = join(packagedDir, lang);
  return existsSync(packaged) ? packaged : own;
}

/** Every lang with a template (a folder with a Dockerfile), the workspace's and the plugin's, sorted. */
export function knownTemplates(
  workspaceRoot: string,
  packagedDir: string = packagedTemplatesDir(),
): string[] {
  const langs = new Set<string>();
  for (const dir of [join(workspaceRoot, WORKSPACE_TEMPLATES_DIR), packagedDir]) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) if (existsSync(join(dir, entry, 'Dockerfile'))) langs.add(entry);
  }
  return [...langs].sort();
}
