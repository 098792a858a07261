import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { DEFAULT_LANG } from '../function/function-project';
import { PLUGIN_BUILD_INPUTS } from './plugin-inputs';
import { type PackageManifest, readManifest, testTarget } from './test-target';

/** Where `nx g new-function` puts the handler; the build's default. */
const GENERATED_HANDLER = 'src/handler.ts';

/** The handler modules a faas-cli function keeps at the top of its folder (`nx g import-stack` copies it). */
export const FOLDER_HANDLERS = ['handler.ts', 'handler.js'];

/** One stack.yml function whose folder exists. */
export interface FunctionFolder {
  /** The stack.yml key: the function's and the Nx project's name. */
  name: string;
  /** Workspace-relative folder (the entry's `handler`). */
  root: string;
  /** The entry's `lang`, else the default template. */
  lang?: string;
}

/**
 * The Nx project of a function: tagged `type:function` and `lang:<lang>`, with `build`, `test`, `serve`,
 * `image` and `publish`. Throws `ERR_FUNCTION_PACKAGE_NAME` when the folder's package.json names the
 * package otherwise: Nx would name the project after the package, and `nx run <function>:publish` would not
 * find it.
 */
export function functionProject(workspaceRoot: string, fn: FunctionFolder): ProjectConfiguration {
  const dir = join(workspaceRoot, fn.root);
  const manifest = readManifest(dir);
  if (manifest.name !== undefined && manifest.name !== fn.name) {
    throw new HomefaasError(
      'ERR_FUNCTION_PACKAGE_NAME',
      `${fn.root}/package.json names the package ${JSON.stringify(manifest.name)}, but stack.yml calls the function ${fn.name}.`,
      { hint: `Name the package ${fn.name} (its "name" field): the Nx project takes the package's name.` },
    );
  }
  const lang = fn.lang ?? DEFAULT_LANG;
  const generated = existsSync(join(dir, GENERATED_HANDLER));
  const handler = generated ? undefined : FOLDER_HANDLERS.find((file) => existsSync(join(dir, file)));
  return {
    name: fn.name,
    root: fn.root,
    sourceRoot: existsSync(join(dir, 'src')) ? `${fn.root}/src` : fn.root,
    projectType: 'application',
    tags: ['type:function', `lang:${lang}`],
    targets: functionTargets(workspaceRoot, fn, { lang, handler, manifest }),
  };
}

interface TargetFacts {
  lang: string;
  /** The handler module when it is not {@link GENERATED_HANDLER}. */
  handler: string | undefined;
  manifest: PackageManifest;
}

/**
 * `build` is cacheable: its inputs are the function's sources, every workspace lib and the template it
 * depends on (`^production`), the plugin ({@link PLUGIN_BUILD_INPUTS}) and esbuild; its output is the Docker
 * build context. `image` and `publish` bundle the function themselves, so a run of many is one batch, not
 * builds then pushes.
 */
function functionTargets(
  workspaceRoot: string,
  fn: FunctionFolder,
  facts: TargetFacts,
): Record<string, TargetConfiguration> {
  return {
    build: {
      executor: '@homefaas/nx-plugin:build',
      cache: true,
      inputs: ['production', '^production', ...PLUGIN_BUILD_INPUTS, { externalDependencies: ['esbuild'] }],
      outputs: [`{workspaceRoot}/dist/functions/${fn.name}`],
      options: { lang: facts.lang, ...(facts.handler ? { handler: facts.handler } : {}) },
    },
    test: testTarget(workspaceRoot, fn.root, facts.manifest),
    serve: {
      executor: '@homefaas/nx-plugin:serve',
      continuous: true,
      options: { port: 8080 },
    },
    image: { executor: '@homefaas/nx-plugin:image' },
    publish: { executor: '@homefaas/nx-plugin:publish' },
  };
}
