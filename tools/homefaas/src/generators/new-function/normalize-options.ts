import {
  addFunctionToStack,
  assertFunctionName,
  DEFAULT_PLATFORMS,
  HOMEFAAS_CONFIG_FILE,
  isPlatform,
  parseHomefaasConfig,
  registryAddress,
  STACK_FILE,
  type StackFunction,
} from '@homefaas/config';
import { HomefaasError, splitList } from '@homefaas/core';
import { getProjects, type Tree } from '@nx/devkit';
import type { NewFunctionGeneratorSchema } from './schema';

/** Templates this generator can scaffold a function for. */
export const FUNCTION_LANGS = ['node22-ts'] as const;

/** Where every function lives. */
export const FUNCTIONS_DIR = 'functions';

// Kubernetes quantities, as faas-cli passes them on: 128Mi, 0.5, 100m, 1G.
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/;

/** The generator's options checked against the workspace, with the stack.yml text it will write. */
export interface ResolvedNewFunction {
  readonly name: string;
  readonly lang: string;
  readonly projectRoot: string;
  readonly image: string;
  readonly platforms: string;
  readonly entry: StackFunction;
  /** stack.yml with the function added. */
  readonly stackText: string;
}

/**
 * Checks everything before anything is written: the name (faas-cli's rule), that neither a folder, a project
 * nor a stack.yml entry of that name exists, the language, platforms and limits. Throws HomefaasError.
 */
export function normalizeOptions(tree: Tree, options: NewFunctionGeneratorSchema): ResolvedNewFunction {
  const name = options.name?.trim() ?? '';
  assertFunctionName(name);
  const projectRoot = `${FUNCTIONS_DIR}/${name}`;
  if (tree.exists(projectRoot)) {
    throw new HomefaasError('ERR_FUNCTION_EXISTS', `${projectRoot} already exists.`, {
      hint: 'Choose another name, or remove the folder first.',
    });
  }
  if (getProjects(tree).has(name)) {
    throw new HomefaasError('ERR_FUNCTION_EXISTS', `A project named ${name} already exists.`, {
      hint: 'Function names are Nx project names too: choose another name.',
    });
  }
  const lang = options.lang ?? FUNCTION_LANGS[0];
  if (!(FUNCTION_LANGS as readonly string[]).includes(lang)) {
    throw new HomefaasError('ERR_FUNCTION_LANG', `Unknown lang ${JSON.stringify(lang)}.`, {
      hint: `Use one of: ${FUNCTION_LANGS.join(', ')}.`,
    });
  }
  const platforms = parsePlatforms(options.platforms ?? DEFAULT_PLATFORMS.join(','));
  const limits = {
    ...(options.memoryLimit === undefined ? {} : { memory: quantity('memoryLimit', options.memoryLimit) }),
    ...(options.cpuLimit === undefined ? {} : { cpu: quantity('cpuLimit', options.cpuLimit) }),
  };
  const config = parseHomefaasConfig(tree.read(HOMEFAAS_CONFIG_FILE, 'utf8') ?? undefined);
  const image = `${registryAddress(config)}/${name}:latest`;
  const entry: StackFunction = {
    lang,
    handler: `./${projectRoot}`,
    image,
    platforms,
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
  // Throws ERR_STACK_EXISTS when stack.yml already has the name.
  const stackText = addFunctionToStack(tree.read(STACK_FILE, 'utf8') ?? undefined, name, entry);
  return { name, lang, projectRoot, image, platforms, entry, stackText };
}

function parsePlatforms(list: string): string {
  const platforms = [...new Set(splitList(list))];
  const bad = platforms.filter((platform) => !isPlatform(platform));
  if (platforms.length === 0 || bad.length > 0) {
    throw new HomefaasError('ERR_FUNCTION_PLATFORMS', `Invalid platforms ${JSON.stringify(list)}.`, {
      hint: 'Give a comma-separated list such as linux/amd64,linux/arm64,linux/arm/v7.',
    });
  }
  return platforms.join(',');
}

function quantity(option: string, value: string): string {
  const trimmed = value.trim();
  if (!QUANTITY.test(trimmed)) {
    throw new HomefaasError('ERR_FUNCTION_LIMIT', `Invalid ${option} ${JSON.stringify(value)}.`, {
      hint: 'Use a Kubernetes quantity: memory like 128Mi or 1Gi, CPU like 100m or 0.5.',
    });
  }
  return trimmed;
}
