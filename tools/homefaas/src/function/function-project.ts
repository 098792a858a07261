import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseStack, type ResolvedFunction, resolveFunction, STACK_FILE } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import type { ExecutorContext } from '@nx/devkit';
import type { ResolvedFunctionBundle } from './function-bundle';
import { resolveTemplateDir } from './function-template';

/** The language a function uses when nothing names one. */
export const DEFAULT_LANG = 'node22-ts';

/** The function an executor runs for: its Nx project, which is named like the function. */
export interface FunctionProject {
  name: string;
  workspaceRoot: string;
  /** Absolute folder of the project. */
  projectDir: string;
}

/** Options that say where a function's parts are (the build and serve targets share them). */
export interface FunctionSourceOptions {
  /** Module exporting the handler, relative to the project (default `src/handler.ts`). */
  handler?: string;
  /** The template: `template/<lang>` of the workspace, else the plugin's own (default `node22-ts`). */
  lang?: string;
  /** Packages kept out of the bundle and installed in the image. */
  external?: string[];
}

/** The project an executor was started for; throws when Nx gave none. */
export function functionProjectFromContext(context: ExecutorContext): FunctionProject {
  const name = context.projectName;
  const project = name === undefined ? undefined : context.projectsConfigurations.projects[name];
  if (name === undefined || project === undefined) {
    throw new HomefaasError('ERR_FUNCTION_PROJECT', 'This executor must run for a function project.', {
      hint: 'Run it as `npx nx run <function>:<target>`.',
    });
  }
  return { name, workspaceRoot: context.root, projectDir: join(context.root, project.root) };
}

/** Absolute paths of the handler, function and template, from the target's options. */
export function resolveFunctionBundle(
  project: FunctionProject,
  options: FunctionSourceOptions,
): ResolvedFunctionBundle {
  return {
    name: project.name,
    workspaceRoot: project.workspaceRoot,
    handlerFile: resolve(project.projectDir, options.handler ?? 'src/handler.ts'),
    functionDir: project.projectDir,
    templateDir: resolveTemplateDir(project.workspaceRoot, options.lang ?? DEFAULT_LANG),
    external: [...(options.external ?? [])],
  };
}

/** Where the build writes a function's Docker build context. */
export function functionOutputDir(project: FunctionProject, outputPath?: string): string {
  const path = outputPath ?? join('dist', 'functions', project.name);
  return isAbsolute(path) ? path : join(project.workspaceRoot, path);
}

/**
 * The function's entry in the workspace's stack.yml, `${VAR}`s substituted from `env` and defaults filled;
 * `environment_file` paths are read relative to the workspace root, and `fprocess`, when the function has
 * none, from its template's `template.yml` (see {@link resolveTemplateDir}), as faas-cli does. `warnings` lists what faas-cli
 * no longer reads.
 */
export function readStackFunction(
  workspaceRoot: string,
  name: string,
  env: NodeJS.ProcessEnv,
): ResolvedFunction {
  return stackReader(workspaceRoot, env)(name);
}

/**
 * Reads and parses stack.yml once, and returns what {@link readStackFunction} gives for each name: for a
 * run of many functions.
 */
export function stackReader(
  workspaceRoot: string,
  env: NodeJS.ProcessEnv,
): (name: string) => ResolvedFunction {
  const stackPath = join(workspaceRoot, STACK_FILE);
  if (!existsSync(stackPath)) {
    throw new HomefaasError('ERR_STACK_MISSING', `There is no ${STACK_FILE} at ${workspaceRoot}.`, {
      hint: `Create a function with \`npx nx g new-function <name>\`, which adds it to ${STACK_FILE}.`,
    });
  }
  const stack = parseStack(readFileSync(stackPath, 'utf8'), env);
  const readEnvironmentFile = (path: string) => readFileSync(resolve(workspaceRoot, path), 'utf8');
  const readTemplateFile = (lang: string) => {
    const path = join(resolveTemplateDir(workspaceRoot, lang), 'template.yml');
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  return (name) => resolveFunction(stack, name, { readEnvironmentFile, readTemplateFile });
}
