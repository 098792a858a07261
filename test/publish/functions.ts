import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addFunctionToStack } from '@homefaas/config';

/** A function made for a test or a benchmark: a copy of hello-world, with or without the greeting lib. */
export interface FunctionSpec {
  name: string;
  /** Imports @homefaas/greeting (as hello-world does), so a change there reaches it. */
  greeting?: boolean;
  platforms?: string;
}

/**
 * Adds functions to a workspace the way `nx g new-function` lays them out (folder, package.json, a stack.yml
 * entry in faas-cli's format; the plugin infers each project from them), by copying hello-world: fast enough for tests that
 * need many. A function without the greeting lib gets a handler of its own.
 */
export async function addFunctions(
  root: string,
  registry: string,
  specs: readonly FunctionSpec[],
): Promise<void> {
  const stackPath = join(root, 'stack.yml');
  let stack = await readFile(stackPath, 'utf8');
  for (const spec of specs) {
    const dir = join(root, 'functions', spec.name);
    await rm(dir, { recursive: true, force: true });
    await cp(join(root, 'functions/hello-world'), dir, { recursive: true });
    await rm(join(dir, 'publish-inputs.json'), { force: true });
    await rm(join(dir, 'src/handler.spec.ts'), { force: true });
    const dependencies = {
      '@homefaas/node22-ts': '*',
      ...(spec.greeting ? { '@homefaas/greeting': '*' } : {}),
    };
    await writeFile(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: spec.name, version: '0.1.0', private: true, dependencies }, null, 2)}\n`,
    );
    if (!spec.greeting) {
      await mkdir(join(dir, 'src'), { recursive: true });
      await writeFile(
        join(dir, 'src/handler.ts'),
        [
          "import type { Handler } from '@homefaas/node22-ts';",
          '',
          `const handler: Handler = async () => ({ function: ${JSON.stringify(spec.name)} });`,
          'export default handler;',
          '',
        ].join('\n'),
      );
    }
    stack = addFunctionToStack(stack, spec.name, {
      lang: 'node22-ts',
      handler: `./functions/${spec.name}`,
      image: `${registry}/${spec.name}:latest`,
      platforms: spec.platforms ?? 'linux/amd64,linux/arm64,linux/arm/v7',
    });
  }
  await writeFile(stackPath, stack);
}

/** Points stack.yml's images at `registry` (a test's registry runs on a port of its own). */
export async function useRegistry(root: string, registry: string): Promise<void> {
  const path = join(root, 'stack.yml');
  const stack = await readFile(path, 'utf8');
  await writeFile(path, stack.replaceAll('docker-registry.home.lan:5000/', `${registry}/`));
}
