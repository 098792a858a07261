import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { readManifest, testTarget } from './test-target';

/** The file that makes a lib type-checkable on its own; it extends the workspace's tsconfig.base.json. */
export const LIB_TSCONFIG = 'tsconfig.json';

/**
 * A workspace lib at `root` (libs/<name>, a package.json of its own): tagged `type:lib`, with `test` (its
 * unit specs) and, when it has a {@link LIB_TSCONFIG}, `typecheck`. Named after its package, as Nx's
 * package.json plugin names it.
 */
export function libProject(workspaceRoot: string, root: string): ProjectConfiguration {
  const dir = join(workspaceRoot, root);
  const manifest = readManifest(dir);
  const targets: Record<string, TargetConfiguration> = {
    test: testTarget(workspaceRoot, root, manifest),
  };
  if (existsSync(join(dir, LIB_TSCONFIG))) {
    targets.typecheck = {
      executor: 'nx:run-commands',
      cache: true,
      inputs: [
        'default',
        '^production',
        '{workspaceRoot}/tsconfig.base.json',
        { externalDependencies: ['typescript'] },
      ],
      options: { command: `npx tsc -p ${root}/${LIB_TSCONFIG} --noEmit`, cwd: '{workspaceRoot}' },
    };
  }
  return {
    ...(typeof manifest.name === 'string' ? { name: manifest.name } : {}),
    root,
    sourceRoot: `${root}/src`,
    projectType: 'library',
    tags: ['type:lib'],
    targets,
  };
}
