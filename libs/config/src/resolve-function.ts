import { HomefaasError } from '@homefaas/core';
import { validateEnvironmentFile } from './compiled-yaml-validators';
import { stackWarnings, warningsFor } from './faas-cli-fields';
import { parsePlatforms } from './platforms';
import type { ResolvedFunction, Stack } from './stack-types';
import { templateFprocess } from './template-fprocess';
import { validateOrThrow } from './validation';
import { parseYamlValues, withoutNulls } from './yaml-values';

/** Collaborators of {@link resolveFunction}. */
export interface ResolveFunctionOptions {
  /** Returns the text of an `environment_file` entry, as written in stack.yml. */
  readEnvironmentFile?: (path: string) => string;
  /**
   * Returns the text of `template/<lang>/template.yml` (`undefined` when there is none), whose `fprocess` a
   * function without its own takes, as faas-cli's deploy does. Without it only the function's own `fprocess`
   * is used.
   */
  readTemplateFile?: (lang: string) => string | undefined;
}

/**
 * One function of `stack` with defaults filled: `environment` merged with each `environment_file` in order
 * (later wins), `fprocess` from the template when the function has none, platforms parsed from the comma list,
 * and the stack's warnings that concern it. Throws `ERR_STACK_FUNCTION_NOT_FOUND` for an unknown name,
 * `ERR_STACK_ENV_FILE` for an environment file and `ERR_STACK_TEMPLATE` for a template.yml that cannot be read
 * or parsed.
 */
export function resolveFunction(
  stack: Stack,
  name: string,
  options: ResolveFunctionOptions = {},
): ResolvedFunction {
  const fn = Object.hasOwn(stack.functions, name) ? stack.functions[name] : undefined;
  if (fn === undefined) {
    const known = Object.keys(stack.functions);
    throw new HomefaasError(
      'ERR_STACK_FUNCTION_NOT_FOUND',
      `Function ${JSON.stringify(name)} is not in stack.yml`,
      {
        hint:
          known.length > 0
            ? `Known functions: ${known.join(', ')}.`
            : 'Add one with `npx nx g new-function <name>`.',
      },
    );
  }
  const environment = { ...fn.environment };
  for (const path of fn.environment_file ?? []) {
    Object.assign(environment, readEnvironmentFile(path, options));
  }
  const fprocess = fn.fprocess || templateFprocess(fn.lang, options.readTemplateFile);
  return {
    name,
    ...(fn.lang === undefined ? {} : { lang: fn.lang }),
    ...(fn.handler === undefined ? {} : { handler: fn.handler }),
    image: fn.image,
    ...(fprocess ? { fprocess } : {}),
    environment,
    secrets: [...(fn.secrets ?? [])],
    labels: { ...fn.labels },
    annotations: { ...fn.annotations },
    ...(fn.limits === undefined ? {} : { limits: { ...fn.limits } }),
    ...(fn.requests === undefined ? {} : { requests: { ...fn.requests } }),
    constraints: [...(fn.constraints ?? [])],
    readOnlyRootFilesystem: fn.readonly_root_filesystem ?? false,
    buildArgs: { ...fn.build_args },
    buildSecrets: { ...fn.build_secrets },
    platforms: parsePlatforms(fn.platforms),
    ...(fn.namespace === undefined ? {} : { namespace: fn.namespace }),
    skipBuild: fn.skip_build ?? false,
    copy: [...(stack.configuration?.copy ?? [])],
    ...(stack.provider.gateway ? { gateway: stack.provider.gateway } : {}),
    warnings: warningsFor(stackWarnings(stack), name),
  };
}

function readEnvironmentFile(path: string, options: ResolveFunctionOptions): Record<string, string> {
  if (options.readEnvironmentFile === undefined) {
    throw new HomefaasError(
      'ERR_STACK_ENV_FILE',
      `Cannot read environment_file ${path}: no file reader given`,
    );
  }
  let text: string;
  try {
    text = options.readEnvironmentFile(path);
  } catch (error) {
    throw new HomefaasError(
      'ERR_STACK_ENV_FILE',
      `Cannot read environment_file ${path}: ${(error as Error).message}`,
      {
        hint: 'environment_file paths are relative to the workspace root.',
        cause: error,
      },
    );
  }
  const data = withoutNulls(parseYamlValues(text, 'ERR_STACK_ENV_FILE', path) ?? {});
  validateOrThrow<{ environment?: Record<string, string> }>(
    validateEnvironmentFile,
    data,
    'ERR_STACK_ENV_FILE',
    path,
    'An environment file holds `environment: {KEY: value}`.',
  );
  return { ...data.environment };
}
