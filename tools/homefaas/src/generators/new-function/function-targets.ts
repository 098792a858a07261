import type { TargetConfiguration } from '@nx/devkit';

/** Plugin files the bundle depends on: a change in them must rebuild every function. */
const BUILD_TOOL_INPUTS = [
  '{workspaceRoot}/tools/homefaas/src/executors/build/**/*',
  '{workspaceRoot}/tools/homefaas/src/function/function-bundle.ts',
  '{workspaceRoot}/tools/homefaas/src/function/function-project.ts',
  '{workspaceRoot}/tools/homefaas/src/function/workspace-packages.ts',
];

/** Keeps publish-inputs.json in step with stack.yml before every publish (and on `nx sync`). */
export const SYNC_PUBLISH_INPUTS = '@homefaas/nx-plugin:sync-publish-inputs';

/**
 * The Nx targets of a function project. `build` is cacheable: its inputs are the function's sources, every
 * workspace lib and the template it depends on (`^production`), the bundler and esbuild's version; its
 * output is the Docker build context.
 */
export function functionTargets(name: string, lang: string): Record<string, TargetConfiguration> {
  return {
    build: {
      executor: '@homefaas/nx-plugin:build',
      cache: true,
      inputs: ['production', '^production', ...BUILD_TOOL_INPUTS, { externalDependencies: ['esbuild'] }],
      outputs: [`{workspaceRoot}/dist/functions/${name}`],
      options: { lang },
    },
    test: {
      executor: 'nx:run-commands',
      cache: true,
      inputs: ['default', '^production'],
      // The trailing slash keeps `functions/hello` from also running `functions/hello-world`.
      options: { command: `npx vitest run --project unit functions/${name}/`, cwd: '{workspaceRoot}' },
    },
    serve: {
      executor: '@homefaas/nx-plugin:serve',
      continuous: true,
      options: { port: 8080 },
    },
    // image and publish bundle the function themselves: a run of many is one batch, not builds then pushes.
    image: { executor: '@homefaas/nx-plugin:image' },
    publish: {
      executor: '@homefaas/nx-plugin:publish',
      syncGenerators: [SYNC_PUBLISH_INPUTS],
    },
  };
}
