import { type ErrorCode, HomefaasError } from '@homefaas/core';
import type { ErrorObject } from 'ajv';

const MAX_SHOWN = 60;

/** A compiled ajv validator: returns whether `data` is valid and leaves the errors on `.errors`. */
export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Validates `data` in place; throws `code` with one message listing each path, expected and got. */
export function validateOrThrow<T>(
  validate: Validator,
  data: unknown,
  code: ErrorCode,
  source: string,
  hint?: string,
): asserts data is T {
  if (validate(data)) return;
  const lines = [...new Set((validate.errors ?? []).flatMap(describeError))];
  throw new HomefaasError(code, `${source} is invalid:\n${lines.map((line) => `  - ${line}`).join('\n')}`, {
    hint,
  });
}

function describeError(error: ErrorObject): string[] {
  const path = pathOf(error.instancePath);
  const described = error.parentSchema?.description as string | undefined;
  const params = error.params as Record<string, unknown>;
  // ajv reports a bad key under propertyNames twice: once as the wrapper, once as the failing keyword.
  if (error.keyword === 'propertyNames') return [];
  if (error.propertyName !== undefined) {
    return [
      `${join(path, error.propertyName)}: expected ${described ?? 'a valid name'}, got the name ${show(error.propertyName)}`,
    ];
  }
  switch (error.keyword) {
    case 'required':
      return [`${join(path, String(params.missingProperty))}: expected a value, got nothing`];
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return [
        `${join(path, key)}: expected one of the known fields (${known.join(', ')}), got an unknown field`,
      ];
    }
    case 'type':
      return [`${path}: expected ${article(String(params.type))}, got ${show(error.data)}`];
    case 'const':
      return [`${path}: expected ${show(params.allowedValue)}, got ${show(error.data)}`];
    case 'enum':
      return [
        `${path}: expected one of ${(params.allowedValues as unknown[]).map(show).join(', ')}, got ${show(error.data)}`,
      ];
    default:
      return [
        `${path}: expected ${described ?? expectation(error.keyword, params)}, got ${show(error.data)}`,
      ];
  }
}

function expectation(keyword: string, params: Record<string, unknown>): string {
  switch (keyword) {
    case 'minLength':
      return params.limit === 1 ? 'a non-empty string' : `at least ${params.limit} characters`;
    case 'maxLength':
      return `at most ${params.limit} characters`;
    case 'minimum':
    case 'maximum':
      return `a number ${params.comparison} ${params.limit}`;
    case 'pattern':
      return `a string matching ${params.pattern}`;
    default:
      return keyword;
  }
}

function pathOf(instancePath: string): string {
  if (instancePath === '') return '(root)';
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(path: string, key: string): string {
  return path === '(root)' ? key : `${path}.${key}`;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a map',
    array: 'a list',
    string: 'a string',
    boolean: 'true or false',
    integer: 'an integer',
  };
  return names[type] ?? `a ${type}`;
}

/** A short, printable form of a value: strings quoted, collections named, long text cut. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
