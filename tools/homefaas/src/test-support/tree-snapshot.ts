import type { Tree } from '@nx/devkit';

/** Every file of `tree` with its content: equal before and after a run that changed nothing. */
export function treeSnapshot(tree: Tree): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = dir === '' ? child : `${dir}/${child}`;
      if (tree.isFile(path)) files[path] = tree.read(path, 'utf8') ?? '';
      else walk(path);
    }
  };
  walk('');
  return files;
}
