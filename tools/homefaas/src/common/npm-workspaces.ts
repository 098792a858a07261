import { posix } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';

/**
 * Whether the root package.json's `workspaces` name `dir` (a `<parent>/*` glob or the folder itself): npm
 * then links the package in `dir` into node_modules, and package-lock.json must list it.
 */
export function npmWorkspacesCover(tree: Tree, dir: string): boolean {
  if (!tree.exists('package.json')) return false;
  const workspaces = (readJson(tree, 'package.json') as { workspaces?: unknown }).workspaces;
  const globs = Array.isArray(workspaces) ? workspaces : [];
  return globs.some((glob) => {
    const clean = String(glob).replace(/^\.\//, '').replace(/\/$/, '');
    return clean === dir || (clean.endsWith('/*') && posix.dirname(dir) === clean.slice(0, -2));
  });
}
