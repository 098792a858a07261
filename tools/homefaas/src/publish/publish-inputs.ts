import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { STACK_FILE } from '@homefaas/config';
import type { Tree } from '@nx/devkit';
import { FsTree } from 'nx/src/generators/tree';
import { parse } from 'yaml';
import { PLUGIN_PACKAGE_NAME } from '../common/plugin-package';
import { readTreeConfig } from '../common/workspace-config';
import { functionFolder } from '../function/function-folder';
import { pluginVersion } from '../graph/plugin-inputs';

/**
 * The sync generator that writes every function's publish-inputs.json: a global one (nx.json
 * `sync.globalGenerators`, which `init` registers), so `npx nx sync` writes the files and `npx nx sync:check`
 * fails a commit that forgot to. It is on no task: Nx would build the project graph a second time before each
 * publish. Publish itself warns about a function whose file is out of date ({@link stalePublishInputs}).
 */
export const SYNC_PUBLISH_INPUTS = `${PLUGIN_PACKAGE_NAME}:sync-publish-inputs`;

/** The file in each function's folder that holds what decides its image and deployment besides its sources. */
export const PUBLISH_INPUTS_FILE = 'publish-inputs.json';

/**
 * The plugin's code that decides what an image holds, how it is tagged and what is deployed: a change here
 * can change what `publish` does for every function. The rest of the plugin (the CA, the registry set-up,
 * doctor, the other generators) never changes an image or a deployment.
 */
export const PUBLISH_OUTPUT_SOURCES = [
  'tools/homefaas/executors.json',
  'tools/homefaas/src/function/',
  'tools/homefaas/src/image/',
  'tools/homefaas/src/deploy/',
  'tools/homefaas/src/publish/',
  'tools/homefaas/src/executors/build/',
  'tools/homefaas/src/executors/image/',
  'tools/homefaas/src/executors/publish/',
  'libs/config/src/',
];

/** Files of the workspace root that the bundler reads for every function. */
const BUNDLE_SETTINGS_FILES = ['tsconfig.json', 'tsconfig.base.json'];

const COMMENT =
  'Written by `npx nx sync` from stack.yml, homefaas.json and the homefaas plugin: what decides this function’s image and deployment besides its sources. Commit it with them; do not edit it.';

/** One function's projection, as it should be, and where. */
export interface PublishInputs {
  name: string;
  /** Workspace-relative path of the file. */
  path: string;
  text: string;
}

/**
 * The {@link PUBLISH_INPUTS_FILE} of every function in stack.yml whose handler folder exists: its own entry
 * (as written, `${VAR}`s unexpanded), the stack's global sections, the homefaas.json settings that reach
 * images or deploys, digests of its environment files and of the bundler's settings, and a fingerprint of the
 * plugin's publishing code. A change in any of these changes the file, so `nx affected` sees exactly the
 * functions it reaches; another function's entry is not in it.
 */
export function renderPublishInputs(tree: Tree): PublishInputs[] {
  const stackText = tree.read(STACK_FILE, 'utf8');
  if (stackText === null) return [];
  const stack = asRecord(parse(stackText));
  const functions = asRecord(stack.functions);
  const { functions: _, ...globals } = stack;
  const config = readTreeConfig(tree);
  const workspace = {
    registry: { host: config.registry.host, port: config.registry.port },
    builder: config.builder,
    ...(config.gateway ? { gateway: config.gateway } : {}),
  };
  const bundle = digestFiles(tree, BUNDLE_SETTINGS_FILES);
  const plugin = pluginFingerprint(tree);
  const inputs: PublishInputs[] = [];
  for (const [name, value] of Object.entries(functions)) {
    const entry = asRecord(value);
    const dir = functionFolder(entry.handler);
    if (dir === undefined || !tree.exists(dir) || tree.isFile(dir)) continue;
    const environmentFiles = Array.isArray(entry.environment_file)
      ? Object.fromEntries(
          entry.environment_file.map((path) => [String(path), digestFiles(tree, [String(path)])]),
        )
      : undefined;
    const projection = {
      $comment: COMMENT,
      function: entry,
      stack: globals,
      ...(environmentFiles ? { environmentFiles } : {}),
      workspace,
      bundle,
      plugin,
    };
    inputs.push({
      name,
      path: posix.join(dir, PUBLISH_INPUTS_FILE),
      text: `${JSON.stringify(projection, null, 2)}\n`,
    });
  }
  return inputs;
}

/** Every file under the given paths (folders end with `/`), sorted, spec files left out. */
function expand(tree: Tree, paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    if (tree.isFile(path)) {
      if (!/\.spec\.ts$/.test(path)) files.push(path);
      return;
    }
    for (const child of tree.children(path)) walk(posix.join(path, child));
  };
  for (const path of paths) {
    const clean = path.replace(/\/$/, '');
    if (tree.exists(clean)) walk(clean);
  }
  return files.sort();
}

/**
 * The publishing code as the workspace holds it (this repository's own plugin sources), with the running
 * plugin's version: an installed plugin's code is not in the workspace, so its upgrade shows in the version.
 */
function pluginFingerprint(tree: Tree): string {
  const files = digestFiles(tree, expand(tree, PUBLISH_OUTPUT_SOURCES));
  const hash = createHash('sha256').update(`${PLUGIN_PACKAGE_NAME}@${pluginVersion()}:${files}`);
  return `sha256:${hash.digest('hex')}`;
}

/** sha256 over each file's path and bytes (a missing file counts as missing). */
function digestFiles(tree: Tree, paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) {
    const bytes = tree.read(path);
    hash.update(`${path}:${bytes === null ? -1 : bytes.length}:`);
    if (bytes !== null) hash.update(bytes);
  }
  return `sha256:${hash.digest('hex')}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * Writes every function's publish-inputs.json whose content differs (a file a formatter re-wrapped still
 * holds the same JSON, and is left alone); returns the functions whose file changed.
 */
export function writePublishInputs(tree: Tree): string[] {
  const changed: string[] = [];
  for (const input of renderPublishInputs(tree)) {
    if (sameJson(tree.read(input.path, 'utf8'), input.text)) continue;
    tree.write(input.path, input.text);
    changed.push(input.name);
  }
  return changed;
}

/**
 * The functions among `names` whose publish-inputs.json differs from what `npx nx sync` would write (read from
 * the workspace at `root`, nothing written): `nx affected` decides on the committed file, so publish warns.
 */
export function stalePublishInputs(root: string, names: readonly string[]): PublishInputs[] {
  const wanted = new Set(names);
  const tree = new FsTree(root, false);
  return renderPublishInputs(tree).filter(
    (input) => wanted.has(input.name) && !sameJson(tree.read(input.path, 'utf8'), input.text),
  );
}

function sameJson(current: string | null, next: string): boolean {
  if (current === null) return false;
  try {
    return JSON.stringify(JSON.parse(current)) === JSON.stringify(JSON.parse(next));
  } catch {
    return false;
  }
}
