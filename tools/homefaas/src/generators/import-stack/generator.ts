import { STACK_FILE } from '@homefaas/config';
import type { Logger } from '@homefaas/core';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { createConsoleLogger } from '../../common/console-logger';
import { withHintInMessage } from '../../common/hint-in-message';
import { npmWorkspacesCover } from '../../common/npm-workspaces';
import { writePublishInputs } from '../../publish/publish-inputs';
import { normalizeOptions, type ResolvedImport } from './normalize-options';
import { functionManifest } from './project-files';
import type { ImportStackGeneratorSchema } from './schema';

/** What the generator reads besides its options; tests pass their own. */
export interface ImportEnvironment {
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

/**
 * `nx g import-stack <stack.yml>`: brings a faas-cli project into the workspace. Each function on a Node
 * template becomes functions/<name> (its handler folder, its package.json's dependencies, its tests) and an
 * entry in stack.yml with its environment, environment files, secrets, labels, annotations, limits, requests
 * and constraints; the others are listed with the reason. The source folder is only read, and a clash with the
 * workspace stops the import before anything is written.
 */
export default async function importStackGenerator(
  tree: Tree,
  options: ImportStackGeneratorSchema,
  environment: ImportEnvironment = { env: process.env, logger: createConsoleLogger() },
): Promise<GeneratorCallback | undefined> {
  const { logger } = environment;
  let resolved: ResolvedImport;
  try {
    resolved = normalizeOptions(tree, options, environment.env);
  } catch (error) {
    throw withHintInMessage(error);
  }
  report(resolved, logger);
  if (resolved.functions.length === 0) return undefined;
  // Outside npm workspaces, a root `npm install` does not reach a function's folder: it installs there.
  const ownInstall: string[] = [];
  let inWorkspaces = false;
  for (const fn of resolved.functions) {
    const workspacePackage = npmWorkspacesCover(tree, fn.projectRoot);
    inWorkspaces ||= workspacePackage;
    for (const [path, content] of fn.folder.files) tree.write(`${fn.projectRoot}/${path}`, content);
    // The plugin's project inference gives the folder its targets from stack.yml: no project.json.
    tree.write(
      `${fn.projectRoot}/package.json`,
      functionManifest(fn.name, fn.folder.manifest, workspacePackage),
    );
    if (!workspacePackage && hasDependencies(fn.folder.manifest)) ownInstall.push(fn.projectRoot);
  }
  for (const [path, content] of resolved.environmentFiles) tree.write(path, content);
  tree.write(STACK_FILE, resolved.stackText);
  writePublishInputs(tree);
  return () => {
    if (inWorkspaces) {
      logger.info(
        "Run `npm install` once: it installs the imported functions' dependencies and records them in package-lock.json.",
      );
    }
    for (const root of ownInstall) {
      logger.info(`  npm install --prefix ${root}    install its dependencies in its folder`);
    }
    for (const fn of resolved.functions)
      logger.info(`  npx nx run ${fn.name}:serve    run ${fn.name} on this machine`);
  };
}

/** Whether the faas-cli function's own package.json lists dependencies (the ones its folder installs). */
function hasDependencies(manifest: Record<string, unknown> = {}): boolean {
  return [manifest.dependencies, manifest.devDependencies].some(
    (deps) => deps !== null && typeof deps === 'object' && Object.keys(deps).length > 0,
  );
}

function report(resolved: ResolvedImport, logger: Logger): void {
  logger.info(`Importing ${resolved.source}:`);
  for (const fn of resolved.functions) {
    logger.info(`  ✔ ${fn.name} (${fn.sourceLang}, ${fn.folder.handlerFile}) → ${fn.projectRoot}`);
    for (const note of fn.notes) logger.info(`      ${note}`);
  }
  for (const { name, reason } of resolved.skipped) logger.info(`  – ${name} skipped: ${reason}`);
  for (const warning of resolved.warnings) logger.warn(`${warning.path}: ${warning.message}`);
}
