import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { PLUGIN_PACKAGE_NAME, pluginRoot } from '../common/plugin-package';

/** One entry of a target's `inputs`: a file set, a named input, or `{externalDependencies}` and the like. */
export type TargetInput = NonNullable<TargetConfiguration['inputs']>[number];

/**
 * What a function's cached `build` takes from the plugin, so that a new bundler, runtime wiring or template
 * rebuilds every function instead of restoring a stale build from the cache. Two inputs, one of which is
 * empty in any workspace, so nothing has to guess at graph time where the plugin comes from:
 *
 * - an installed plugin: its version, read from its package.json under node_modules (git-ignored, hence
 *   `includeIgnored`). A change of its code comes only with a new version. (`externalDependencies` would
 *   name the version too, but fails the task outright where the plugin is a workspace project instead.)
 * - the plugin as the workspace's own source (this repository): an edit changes no version, so the input is
 *   the plugin project's `production` files, found by its name. Specs are not among them, and no path
 *   inside the plugin is named, so its folders can move without touching a function.
 *
 * `publish` is not cached: what reaches an image or a deployment is in each function's publish-inputs.json,
 * whose `plugin` fingerprint (the publishing code and {@link pluginVersion}) makes `nx affected` see a plugin
 * change (sync-publish-inputs).
 */
export const PLUGIN_BUILD_INPUTS: readonly TargetInput[] = [
  { fileset: `{workspaceRoot}/node_modules/${PLUGIN_PACKAGE_NAME}/package.json`, includeIgnored: true },
  { input: 'production', projects: PLUGIN_PACKAGE_NAME },
];

/** The version of the plugin's package (at `packageRoot`, the running plugin's by default). */
export function pluginVersion(packageRoot: string = pluginRoot()): string {
  return String(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
}
