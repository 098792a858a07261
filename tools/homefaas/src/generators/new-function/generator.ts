import { join } from 'node:path';
import { STACK_FILE } from '@homefaas/config';
import { type GeneratorCallback, generateFiles, logger, type Tree } from '@nx/devkit';
import { withHintInMessage } from '../../common/hint-in-message';
import { npmWorkspacesCover } from '../../common/npm-workspaces';
import { writePublishInputs } from '../../publish/publish-inputs';
import { formatJson } from './json-text';
import { normalizeOptions, type ResolvedNewFunction } from './normalize-options';
import type { NewFunctionGeneratorSchema } from './schema';

/**
 * Scaffolds functions/<name> (handler, its spec, package.json, README) and adds the function to stack.yml,
 * from which the plugin's project inference gives it build, test, serve, image and publish. Where the root
 * package.json's `workspaces` cover the folder, the function is an npm workspace package that depends on its
 * template's runtime package; elsewhere the runtime resolves through the TypeScript path init writes. Every
 * check runs before the first write, so a refused name changes nothing.
 */
export default async function newFunctionGenerator(
  tree: Tree,
  options: NewFunctionGeneratorSchema,
): Promise<GeneratorCallback> {
  let resolved: ResolvedNewFunction;
  try {
    resolved = normalizeOptions(tree, options);
  } catch (error) {
    throw withHintInMessage(error);
  }
  generateFiles(tree, join(__dirname, 'files'), resolved.projectRoot, {
    name: resolved.name,
    lang: resolved.lang,
    image: resolved.image,
    platforms: resolved.platforms,
    template: '',
  });
  const workspacePackage = npmWorkspacesCover(tree, resolved.projectRoot);
  tree.write(
    `${resolved.projectRoot}/package.json`,
    formatJson({
      name: resolved.name,
      version: '0.1.0',
      private: true,
      description: `The ${resolved.name} function.`,
      // A workspace package's dependency on another: npm links it. Outside npm workspaces there is nothing
      // to link, and npm would look the runtime up in the registry.
      ...(workspacePackage ? { dependencies: { [`@homefaas/${resolved.lang}`]: '*' } } : {}),
    }),
  );
  tree.write(STACK_FILE, resolved.stackText);
  // Committed with the function, so `nx sync:check` passes right away.
  writePublishInputs(tree);
  return () => {
    for (const line of nextSteps(resolved, workspacePackage)) logger.info(line);
  };
}

/**
 * What to run next. In npm workspaces (`workspacePackage`) there is one extra step: recording the new
 * workspace package in package-lock.json.
 */
export function nextSteps(resolved: ResolvedNewFunction, workspacePackage: boolean): string[] {
  return [
    `Created ${resolved.projectRoot} and added it to ${STACK_FILE} (image ${resolved.image}).`,
    `  npx nx run ${resolved.name}:test     run its tests`,
    `  npx nx run ${resolved.name}:serve    run it on http://127.0.0.1:8080/, restarting on change`,
    `  npx nx run ${resolved.name}:image    build it for ${resolved.platforms} and push it`,
    ...(workspacePackage
      ? [
          `Run \`npm install\` once and commit package-lock.json: npm ci refuses a lock that lacks the new workspace package. Building, testing and serving do not need it.`,
        ]
      : []),
  ];
}
