import { HomefaasError } from '@homefaas/core';
import { validateStack } from './compiled-yaml-validators';
import { stackWarnings } from './faas-cli-fields';
import { type ParsedStack, STACK_FILE, type Stack } from './stack-types';
import { substituteEnv } from './substitute-env';
import { validateOrThrow } from './validation';
import { parseYamlValues, withoutNulls } from './yaml-values';

/**
 * Parses stack.yml the way faas-cli does: `${VAR}` / `${VAR:-default}` substituted from `env` first (pass
 * `process.env` from the caller; the default is an empty environment), then YAML, then the schema. Throws
 * `ERR_STACK_PARSE` for bad YAML and `ERR_STACK_INVALID` listing every wrong field. Fields faas-cli accepts but
 * no longer reads come back in `warnings`, for the caller to report.
 */
export function parseStack(text: string, env: NodeJS.ProcessEnv = {}, source = STACK_FILE): ParsedStack {
  const raw = parseYamlValues(substituteEnv(text, env), 'ERR_STACK_PARSE', source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HomefaasError('ERR_STACK_INVALID', `${source} is invalid:\n  - (root): expected a map`, {
      hint: 'A stack file starts with version: 1.0, provider: {name: openfaas} and functions:.',
    });
  }
  const data = normalize(raw as Record<string, unknown>);
  validateOrThrow<Stack>(
    validateStack,
    data,
    'ERR_STACK_INVALID',
    source,
    'See https://docs.openfaas.com/reference/yaml/',
  );
  const stack = { ...data, version: '1.0', functions: data.functions ?? {} } as Stack;
  return { ...stack, warnings: stackWarnings(stack) };
}

/** Absent and `~` mean the same to faas-cli, at every level where a field is optional. */
function normalize(raw: Record<string, unknown>): Record<string, unknown> & Partial<Stack> {
  const data = withoutNulls(raw) as Record<string, unknown>;
  for (const key of ['provider', 'configuration']) {
    if (data[key] !== undefined) data[key] = withoutNulls(data[key]);
  }
  const functions = data.functions;
  if (functions !== null && typeof functions === 'object' && !Array.isArray(functions)) {
    data.functions = Object.fromEntries(
      Object.entries(functions).map(([name, fn]) => [name, withoutNulls(fn)]),
    );
  }
  return data;
}
