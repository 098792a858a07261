import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseStack, STACK_FILE } from '@homefaas/config';
import type { CreateNodes, CreateNodesResultArray, ProjectConfiguration } from '@nx/devkit';
import { functionFolder } from '../function/function-folder';
import { type FunctionFolder, functionProject } from './function-node';
import { libProject } from './lib-node';

/** Where the workspace's libs live: one package.json per lib. */
export const LIBS_PATTERN = 'libs/*/package.json';

/**
 * The plugin's project inference (nx.json `plugins: ["@homefaas/nx-plugin"]`): every function of stack.yml
 * whose folder exists becomes a project with `build`, `test`, `serve`, `image` and `publish`, and every lib
 * gets `test` and `typecheck`, so a function folder holds only its code and `nx affected -t test` reaches
 * the libs. Nx's own package.json inference names the same folders; the two merge by folder.
 */
export const createNodes: CreateNodes = [
  `{${STACK_FILE},${LIBS_PATTERN}}`,
  (files, _options, context) => inferProjects(files, context.workspaceRoot),
];

/** The projects `files` (stack.yml, libs' package.json files, workspace-relative) give. */
export function inferProjects(files: readonly string[], workspaceRoot: string): CreateNodesResultArray {
  const results: CreateNodesResultArray = [];
  for (const file of files) {
    const projects: Record<string, ProjectConfiguration> = {};
    if (file === STACK_FILE) {
      for (const fn of readFunctionFolders(workspaceRoot)) {
        projects[fn.root] = functionProject(workspaceRoot, fn);
      }
    } else {
      const root = posix.dirname(file);
      projects[root] = libProject(workspaceRoot, root);
    }
    if (Object.keys(projects).length > 0) results.push([file, { projects }]);
  }
  return results;
}

/**
 * The functions of the workspace's stack.yml whose handler folder exists, as `nx run <function>:publish`
 * and the publish inputs take them. An entry whose folder is missing (a function not imported yet, or one
 * faas-cli builds from elsewhere) gives no project.
 */
export function readFunctionFolders(workspaceRoot: string): FunctionFolder[] {
  const path = join(workspaceRoot, STACK_FILE);
  if (!existsSync(path)) return [];
  const stack = parseStack(readFileSync(path, 'utf8'));
  const folders: FunctionFolder[] = [];
  for (const [name, entry] of Object.entries(stack.functions)) {
    const root = functionFolder(entry.handler);
    if (root === undefined || !isDirectory(join(workspaceRoot, root))) continue;
    folders.push({ name, root, ...(entry.lang === undefined ? {} : { lang: entry.lang }) });
  }
  return folders;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
