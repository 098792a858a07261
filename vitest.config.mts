import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `itg` (files named *.itg.spec.ts) needs the real Docker
// engine, buildx, qemu and the local registry that tools/scripts/test-env.sh provides.
export default defineConfig({
  test: {
    // Commands the tests run (nx, docker) print plain text even where CI=true would turn colours on.
    env: { NO_COLOR: '1' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{libs,tools,functions,template,test}/**/*.spec.ts'],
          exclude: ['**/*.itg.spec.ts', '**/node_modules/**', '**/dist/**', '**/files/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'itg',
          include: ['{libs,tools,functions,template,test}/**/*.itg.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
