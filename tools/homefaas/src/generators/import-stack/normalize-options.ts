import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  addFunctionToStack,
  parseStack,
  STACK_FILE,
  type StackFunction,
  type StackWarning,
} from '@homefaas/config';
import { HomefaasError, isHomefaasError } from '@homefaas/core';
import type { Tree } from '@nx/devkit';
import { normalizeOptions as normalizeNewFunction } from '../new-function/normalize-options';
import { copiedEnvironmentFile } from './environment-file';
import { type HandlerFolder, readHandlerFolder } from './handler-folder';
import { langNote, whyNotNode } from './node-lang';
import { IMPORT_LANG } from './project-files';
import type { ImportStackGeneratorSchema } from './schema';

/** Deploy-time settings carried over from the faas-cli entry as they are. */
const CARRIED = [
  'environment',
  'secrets',
  'labels',
  'annotations',
  'limits',
  'requests',
  'constraints',
  'readonly_root_filesystem',
  'namespace',
] as const;

/** Settings of the old template's build, and fields faas-cli no longer reads: left out, and said so. */
const NOT_CARRIED = [
  'fprocess',
  'build_args',
  'build_options',
  'build_secrets',
  'registry_auth',
  'skip_build',
] as const;
const NOT_CARRIED_WHY = "they set up the old template's build, or faas-cli no longer reads them";

/** One faas-cli function, ready to be written as a function project. */
export interface ImportedFunction {
  readonly name: string;
  readonly sourceLang: string;
  readonly projectRoot: string;
  readonly folder: HandlerFolder;
  readonly entry: StackFunction;
  /** What the summary says besides the import itself. */
  readonly notes: string[];
}

/** Everything the import writes, checked against the workspace before anything is written. */
export interface ResolvedImport {
  /** The source stack file as the user named it. */
  readonly source: string;
  readonly functions: ImportedFunction[];
  readonly skipped: Array<{ name: string; reason: string }>;
  /** environment_file files copied into the workspace, by workspace path. */
  readonly environmentFiles: Map<string, Buffer>;
  readonly warnings: StackWarning[];
  /** stack.yml with every imported function added. */
  readonly stackText: string;
}

/**
 * Reads the faas-cli project at `options.path` (a stack file, or a folder holding stack.yml) and plans the
 * import: each function on a Node template, with its handler folder, dependencies and deploy settings; the
 * others listed with the reason. Every clash with the workspace (a function, folder, project or environment
 * file already there) is collected and thrown as one `ERR_IMPORT_CLASH` before anything is written.
 */
export function normalizeOptions(
  tree: Tree,
  options: ImportStackGeneratorSchema,
  env: NodeJS.ProcessEnv,
): ResolvedImport {
  const stackPath = sourceStackPath(resolve(tree.root, options.path ?? ''), options.path ?? '');
  const sourceRoot = dirname(stackPath);
  const stack = parseStack(readFileSync(stackPath, 'utf8'), env, options.path);
  const functions: ImportedFunction[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  const environmentFiles = new Map<string, Buffer>();
  const clashes: string[] = [];
  let stackText = tree.read(STACK_FILE, 'utf8') ?? undefined;
  for (const [name, fn] of Object.entries(stack.functions)) {
    const reason =
      whyNotNode(fn.lang) ?? (fn.handler === undefined ? 'it names no handler folder' : undefined);
    const folder = reason ?? readHandlerFolder(resolve(sourceRoot, fn.handler ?? ''), fn.handler ?? '');
    if (typeof folder === 'string') {
      skipped.push({ name, reason: folder });
      continue;
    }
    const environmentFile = (fn.environment_file ?? []).map((path) => {
      const target = copiedEnvironmentFile(tree, sourceRoot, path, environmentFiles);
      if (target.clash) clashes.push(target.clash);
      return target.path;
    });
    const planned = planFunction(tree, name, fn, folder, environmentFile, options.platforms);
    if (typeof planned === 'string') {
      clashes.push(planned);
      continue;
    }
    stackText = addFunctionToStack(stackText, name, planned.entry);
    functions.push(planned);
  }
  if (clashes.length > 0) {
    throw new HomefaasError(
      'ERR_IMPORT_CLASH',
      `Cannot import ${options.path}: it clashes with the workspace.\n${[...new Set(clashes)].map((line) => `  - ${line}`).join('\n')}`,
      {
        hint: 'Nothing was written. Rename or remove what clashes (in the workspace or the faas-cli stack file), then import again.',
      },
    );
  }
  return {
    source: options.path,
    functions,
    skipped,
    environmentFiles,
    warnings: stack.warnings,
    stackText: stackText ?? '',
  };
}

/** The stack file: `path` itself, or stack.yml in the folder `path`. */
function sourceStackPath(path: string, shown: string): string {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, STACK_FILE) : path;
  if (!existsSync(file)) {
    throw new HomefaasError('ERR_IMPORT_SOURCE', `There is no faas-cli stack file at ${shown}.`, {
      hint: 'Give the path of the stack file (such as ../my-functions/stack.yml) or of the folder that holds it.',
    });
  }
  return file;
}

/**
 * The function project and stack.yml entry for one faas-cli function: `nx g new-function`'s checks and entry
 * (name, folder, project, stack.yml; image in the workspace registry), plus the carried deploy settings.
 * Returns the clash instead when the workspace already has the function.
 */
function planFunction(
  tree: Tree,
  name: string,
  fn: StackFunction,
  folder: HandlerFolder,
  environmentFile: string[],
  platforms: string | undefined,
): ImportedFunction | string {
  let planned: ReturnType<typeof normalizeNewFunction>;
  try {
    planned = normalizeNewFunction(tree, {
      name,
      lang: IMPORT_LANG,
      ...(platforms ? { platforms } : {}),
      ...(fn.platforms ? { platforms: fn.platforms } : {}),
    });
  } catch (error) {
    if (isHomefaasError(error)) return error.message;
    throw error;
  }
  const entry: StackFunction = {
    ...planned.entry,
    ...(environmentFile.length > 0 ? { environment_file: environmentFile } : {}),
    ...Object.fromEntries(CARRIED.filter((key) => fn[key] !== undefined).map((key) => [key, fn[key]])),
  };
  const dropped = NOT_CARRIED.filter((key) => fn[key] !== undefined);
  const note = langNote(fn.lang ?? '');
  return {
    name,
    sourceLang: fn.lang ?? '',
    projectRoot: planned.projectRoot,
    folder,
    entry,
    notes: [
      `image ${planned.image} (was ${fn.image})`,
      ...(dropped.length > 0 ? [`not carried over: ${dropped.join(', ')} (${NOT_CARRIED_WHY})`] : []),
      ...(folder.leftOut.length > 0 ? [`not copied: ${folder.leftOut.join(', ')}`] : []),
      ...(note ? [note] : []),
    ],
  };
}
