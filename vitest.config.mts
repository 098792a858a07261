import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `itg` (files named *.itg.spec.ts) needs the real Docker
// engine, buildx, qemu and the local registry that tools/scripts/test-env.sh provides.
export default defineConfig({
  test: {
    // Commands the tests run (nx, docker) print plain text even where CI=true would turn colours on.
    env: { NO_COLOR: '1' },
    // Vitest's default is one worker fewer than the cores: on two cores, one file at a time. Two let the unit
    // files run beside the itg files, which run one at a time (they share the engine and the registry).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{libs,tools,functions,template,test}/**/*.spec.ts'],
          exclude: ['**/*.itg.spec.ts', '**/node_modules/**', '**/dist/**', '**/files/**'],
          testTimeout: 30_000,
          // Set-ups that make RSA keys or encrypt a CA key take seconds when the itg files load the machine.
          hookTimeout: 60_000,
          // A folder for the RSA keys specs share (libs/certificates/src/test-support/shared-keys.ts).
          globalSetup: ['libs/certificates/src/test-support/shared-keys-setup.ts'],
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
