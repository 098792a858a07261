import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import { type BuildOptions, build, formatMessages, type Message, stop } from 'esbuild';
import { type ContextFile, readContextFiles, sameContextFiles } from './content-tag';
import { readWorkspacePackages, type WorkspacePackage, workspacePackagesPlugin } from './workspace-packages';

/** Node version of the oldest base image a function runs on; the bundle must parse there. */
export const BUNDLE_TARGET = 'node20';

/** The file the template's Dockerfile starts, at the root of the build context. */
export const BUNDLE_FILE = 'index.js';

/** Everything {@link bundleFunction} needs, resolved: absolute paths, no defaults left. */
export interface ResolvedFunctionBundle {
  /** The function's name (also its Nx project). */
  name: string;
  workspaceRoot: string;
  /** Absolute path of the module that exports the handler. */
  handlerFile: string;
  /** Absolute folder of the function (its package.json names the versions of external dependencies). */
  functionDir: string;
  /** Absolute folder of the template: its package.json names the runtime, and it holds the Dockerfile. */
  templateDir: string;
  /** Packages left out of the bundle and installed in the image instead (native code). */
  external: readonly string[];
}

/** What {@link bundleFunction} wrote. */
export interface FunctionBundleResult {
  outputDir: string;
  /** File names in the build context, sorted. */
  files: string[];
  /** `name@version` of each external dependency written to the context's package.json. */
  external: string[];
}

/**
 * esbuild options that bundle the function's handler, the template runtime and every workspace lib it
 * imports into one CommonJS file that starts the runtime. `absWorkingDir` is the workspace root so the path
 * comments in the bundle are relative and the output is the same on every clone.
 */
export function functionBundleOptions(resolved: ResolvedFunctionBundle): BuildOptions {
  const runtime = readRuntimePackage(resolved.templateDir);
  const packages = readWorkspacePackages(resolved.workspaceRoot);
  // Functions are never imported; leaving them out keeps a function named like an npm package harmless.
  const functionsDir = join(resolved.workspaceRoot, 'functions') + sep;
  for (const [name, pkg] of packages) if (pkg.dir.startsWith(functionsDir)) packages.delete(name);
  // The runtime is the template's own, wherever the template is (the workspace's or the plugin's).
  packages.set(runtime.name, runtime);
  const handlerImport = `./${toPosix(relative(resolved.workspaceRoot, resolved.handlerFile))}`;
  return {
    stdin: {
      contents: entrySource(runtime.name, handlerImport),
      resolveDir: resolved.workspaceRoot,
      sourcefile: 'homefaas-entry.ts',
      loader: 'ts',
    },
    absWorkingDir: resolved.workspaceRoot,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    charset: 'utf8',
    legalComments: 'eof',
    external: [...resolved.external],
    plugins: [workspacePackagesPlugin(packages)],
    logLevel: 'silent',
  };
}

/** A function's Docker build context, rendered in memory: what {@link writeFunctionBundle} writes. */
export interface RenderedBundle {
  /** `index.js`, `Dockerfile` and, when dependencies stay external, `package.json`. */
  files: ContextFile[];
  /** `name@version` of each external dependency written to the context's package.json. */
  external: string[];
}

/**
 * The Docker build context of a function, in memory: `index.js` (the bundle), the template's `Dockerfile`,
 * and a `package.json` only when dependencies stay external. The same sources give byte-identical files, so
 * the context can be hashed for a content tag before anything is written.
 */
export async function renderFunctionBundle(
  resolved: ResolvedFunctionBundle,
  logger: Logger = SILENT_LOGGER,
): Promise<RenderedBundle> {
  assertInputs(resolved);
  const result = await build({
    ...functionBundleOptions(resolved),
    write: false,
    // Only names the output: nothing is written.
    outfile: join(resolved.workspaceRoot, BUNDLE_FILE),
  }).catch(async (error: unknown) => {
    throw await bundleError(resolved, error);
  });
  for (const line of await formatMessages(result.warnings, { kind: 'warning', color: false })) {
    logger.warn(line.trimEnd());
  }
  const bundle = result.outputFiles?.find((file) => file.path.endsWith(BUNDLE_FILE));
  if (bundle === undefined) {
    throw new HomefaasError('ERR_BUILD_BUNDLE', `esbuild wrote no ${BUNDLE_FILE} for ${resolved.name}.`);
  }
  const file = (path: string, contents: Uint8Array | string): ContextFile => ({
    path,
    executable: false,
    contents,
  });
  const files = [
    file(BUNDLE_FILE, bundle.contents),
    file('Dockerfile', await readFile(join(resolved.templateDir, 'Dockerfile'))),
  ];
  const external = resolveExternalVersions(resolved);
  if (external.length > 0) files.push(file('package.json', externalManifest(resolved.name, external)));
  return { files, external: external.map(([name, version]) => `${name}@${version}`) };
}

/**
 * Makes `outputDir` hold exactly `files` (emptied first), unless it already does, byte for byte; returns
 * whether anything was written.
 */
export async function writeFunctionBundle(
  outputDir: string,
  files: readonly ContextFile[],
): Promise<boolean> {
  if (sameContextFiles(await readContextFiles(outputDir), files)) return false;
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(outputDir, { recursive: true });
  for (const file of files) await writeFile(join(outputDir, file.path), file.contents);
  return true;
}

/** Renders the function's build context and writes it into `outputDir` (see {@link renderFunctionBundle}). */
export async function bundleFunction(
  resolved: ResolvedFunctionBundle,
  outputDir: string,
  logger: Logger = SILENT_LOGGER,
): Promise<FunctionBundleResult> {
  const rendered = await renderFunctionBundle(resolved, logger);
  await writeFunctionBundle(outputDir, rendered.files);
  return {
    outputDir,
    files: rendered.files.map((file) => file.path).sort(),
    external: rendered.external,
  };
}

/** The entry esbuild starts from: the runtime finds the handler in the module, serves it, and handles SIGTERM. */
function entrySource(runtime: string, handlerImport: string): string {
  return [
    `import { startFromEnv } from ${JSON.stringify(runtime)};`,
    `import * as handlerModule from ${JSON.stringify(handlerImport)};`,
    '',
    'void startFromEnv(handlerModule);',
    '',
  ].join('\n');
}

/** The template's runtime package: its name (what the entry imports), its folder and main module. */
function readRuntimePackage(templateDir: string): WorkspacePackage {
  const manifestPath = join(templateDir, 'package.json');
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: unknown; main?: unknown };
    if (typeof manifest.name === 'string' && manifest.name !== '') {
      const main = typeof manifest.main === 'string' ? manifest.main : 'index';
      return { name: manifest.name, dir: templateDir, main };
    }
  } catch (error) {
    throw new HomefaasError(
      'ERR_BUILD_TEMPLATE',
      `Cannot read the template's package.json (${manifestPath}).`,
      {
        hint: "Check the function's `lang`: it names a folder under template/.",
        cause: error,
      },
    );
  }
  throw new HomefaasError('ERR_BUILD_TEMPLATE', `The template's package.json (${manifestPath}) has no name.`);
}

function assertInputs(resolved: ResolvedFunctionBundle): void {
  if (!existsSync(resolved.handlerFile)) {
    throw new HomefaasError('ERR_BUILD_HANDLER', `The handler ${resolved.handlerFile} does not exist.`, {
      hint: "A function exports its handler from src/handler.ts (or set the build target's `handler` option).",
    });
  }
  if (!existsSync(join(resolved.templateDir, 'Dockerfile'))) {
    throw new HomefaasError('ERR_BUILD_TEMPLATE', `The template ${resolved.templateDir} has no Dockerfile.`, {
      hint: "Check the function's `lang`: it names a folder under template/.",
    });
  }
}

async function bundleError(resolved: ResolvedFunctionBundle, error: unknown): Promise<HomefaasError> {
  const errors = (error as { errors?: Message[] }).errors;
  const detail = Array.isArray(errors)
    ? (await formatMessages(errors, { kind: 'error', color: false })).map((line) => line.trimEnd()).join('\n')
    : String(error);
  return new HomefaasError('ERR_BUILD_BUNDLE', `esbuild could not bundle ${resolved.name}:\n${detail}`, {
    hint: "Fix the errors above; a package with native code can be listed in the build target's `external` option.",
    cause: error,
  });
}

/** `[name, version]` of each external dependency, sorted: the version the function asks for, else the installed one. */
function resolveExternalVersions(resolved: ResolvedFunctionBundle): Array<[string, string]> {
  const manifest = readJsonFile(join(resolved.functionDir, 'package.json')) ?? {};
  const declared = { ...asRecord(manifest.devDependencies), ...asRecord(manifest.dependencies) };
  return [...new Set(resolved.external)].sort().map((name) => {
    const version = declared[name] ?? installedVersion(resolved, name);
    if (typeof version !== 'string') {
      throw new HomefaasError(
        'ERR_BUILD_EXTERNAL',
        `External dependency ${name} is neither in ${resolved.functionDir}/package.json nor installed.`,
        { hint: `Add "${name}" to the function's package.json dependencies and run npm install.` },
      );
    }
    return [name, version];
  });
}

function installedVersion(resolved: ResolvedFunctionBundle, name: string): unknown {
  for (let dir = resolved.functionDir; ; dir = dirname(dir)) {
    const manifest = readJsonFile(join(dir, 'node_modules', name, 'package.json'));
    if (manifest !== undefined) return manifest.version;
    if (dir === resolved.workspaceRoot || dirname(dir) === dir) return undefined;
  }
}

function externalManifest(name: string, external: Array<[string, string]>): string {
  const manifest = { name, version: '0.0.0', private: true, dependencies: Object.fromEntries(external) };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function readJsonFile(path: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/**
 * Ends esbuild's service process once a run has bundled what it needs. esbuild keeps it for later builds until
 * Node exits; Nx ends a task's process by killing its process tree, which takes longer with the service still
 * there (a no-op publish measured about 0.3 s slower). A later build starts a new service.
 */
export function stopBundler(): Promise<void> {
  return stop();
}
