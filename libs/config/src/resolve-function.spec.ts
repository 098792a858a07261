import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { parseStack } from './parse-stack';
import { DEFAULT_PLATFORMS } from './platforms';
import { resolveFunction } from './resolve-function';

const STACK = parseStack(`version: 1.0
provider: {name: openfaas, gateway: https://gw.lab:8080}
functions:
  hello:
    lang: node22-ts
    handler: ./functions/hello
    image: reg.lab:5000/hello:latest
    environment: {A: stack, B: stack, C: stack}
    environment_file: [env/one.yml, env/two.yml]
    platforms: " linux/arm64 ,linux/arm/v7,linux/arm64"
    secrets: [api-key]
    limits: {memory: 128Mi}
    readonly_root_filesystem: true
    namespace: team-a
  bare:
    image: bare:1
configuration:
  copy: [./libs/shared]
`);

const FILES: Record<string, string> = {
  'env/one.yml': 'environment:\n  B: one\n  C: one\n  N: 1.50\n',
  'env/two.yml': 'environment:\n  C: two\n',
  'template/node22-ts/template.yml': 'language: node22-ts\nfprocess: node index.js\n',
};
const readEnvironmentFile = (path: string) => {
  const text = FILES[path];
  if (text === undefined) throw new Error(`ENOENT: no such file ${path}`);
  return text;
};
const readTemplateFile = (lang: string) => readEnvironmentFile(`template/${lang}/template.yml`);

function failure(run: () => unknown): { code: string; message: string; hint?: string } {
  try {
    run();
  } catch (error) {
    if (isHomefaasError(error)) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error('expected a HomefaasError');
}

describe('resolveFunction', () => {
  it('merges environment < environment_file files in order, and parses platforms', () => {
    const fn = resolveFunction(STACK, 'hello', { readEnvironmentFile, readTemplateFile });
    expect(fn).toEqual({
      name: 'hello',
      lang: 'node22-ts',
      handler: './functions/hello',
      image: 'reg.lab:5000/hello:latest',
      fprocess: 'node index.js',
      environment: { A: 'stack', B: 'one', C: 'two', N: '1.50' },
      secrets: ['api-key'],
      labels: {},
      annotations: {},
      limits: { memory: '128Mi' },
      constraints: [],
      readOnlyRootFilesystem: true,
      buildArgs: {},
      buildSecrets: {},
      platforms: ['linux/arm64', 'linux/arm/v7'],
      namespace: 'team-a',
      skipBuild: false,
      copy: ['./libs/shared'],
      gateway: 'https://gw.lab:8080',
      warnings: [],
    });
  });

  it('fills defaults for a bare function, including all three platforms', () => {
    const fn = resolveFunction(STACK, 'bare');
    expect(fn.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    expect(fn.platforms).toEqual([...DEFAULT_PLATFORMS]);
    expect(fn.environment).toEqual({});
    expect(fn.readOnlyRootFilesystem).toBe(false);
    expect(fn.namespace).toBeUndefined();
  });

  it('names an unknown function and lists the known ones', () => {
    expect(failure(() => resolveFunction(STACK, 'nope'))).toEqual({
      code: 'ERR_STACK_FUNCTION_NOT_FOUND',
      message: 'Function "nope" is not in stack.yml',
      hint: 'Known functions: hello, bare.',
    });
  });

  it('does not treat inherited object keys as functions', () => {
    expect(failure(() => resolveFunction(STACK, 'toString')).code).toBe('ERR_STACK_FUNCTION_NOT_FOUND');
  });

  it('names a missing environment file', () => {
    const result = failure(() =>
      resolveFunction(STACK, 'hello', {
        readEnvironmentFile: () => {
          throw new Error('ENOENT');
        },
      }),
    );
    expect(result.code).toBe('ERR_STACK_ENV_FILE');
    expect(result.message).toBe('Cannot read environment_file env/one.yml: ENOENT');
  });

  it('refuses to skip environment files when no reader is given', () => {
    expect(failure(() => resolveFunction(STACK, 'hello')).code).toBe('ERR_STACK_ENV_FILE');
  });

  it('validates an environment file and names its path', () => {
    const result = failure(() =>
      resolveFunction(STACK, 'hello', { readEnvironmentFile: () => 'environment: [A=b]\n' }),
    );
    expect(result).toMatchObject({
      code: 'ERR_STACK_ENV_FILE',
      message: 'env/one.yml is invalid:\n  - environment: expected a map, got a list',
    });
  });

  it("takes fprocess from the function, else from its template's template.yml, as faas-cli's deploy does", () => {
    const stack = parseStack(`provider: {name: openfaas}
functions:
  own: {lang: node22-ts, image: a, fprocess: node own.js}
  empty: {lang: node22-ts, image: a, fprocess: ""}
  none: {lang: node22-ts, image: a}
  bare: {image: a}
  docker: {lang: Dockerfile, image: a}
`);
    const fprocess = (name: string) => resolveFunction(stack, name, { readTemplateFile }).fprocess;
    expect(fprocess('own')).toBe('node own.js');
    expect(fprocess('empty')).toBe('node index.js');
    expect(fprocess('none')).toBe('node index.js');
    expect(fprocess('bare')).toBeUndefined();
    expect(fprocess('docker')).toBeUndefined();
    expect(resolveFunction(stack, 'none').fprocess).toBeUndefined();
  });

  it('sends no fprocess when the template has no template.yml (the build names a missing template)', () => {
    const stack = parseStack('provider: {name: openfaas}\nfunctions:\n  a: {lang: python3, image: a}\n');
    expect(resolveFunction(stack, 'a', { readTemplateFile: () => undefined }).fprocess).toBeUndefined();
  });

  it('names a template.yml that cannot be read, and one that is not a map', () => {
    const stack = parseStack('provider: {name: openfaas}\nfunctions:\n  a: {lang: python3, image: a}\n');
    expect(failure(() => resolveFunction(stack, 'a', { readTemplateFile }))).toEqual({
      code: 'ERR_STACK_TEMPLATE',
      message:
        'Cannot read template/python3/template.yml: ENOENT: no such file template/python3/template.yml',
      hint: 'lang: python3 names the folder template/python3: check the name, or pull the template (faas-cli template pull).',
    });
    expect(
      failure(() => resolveFunction(stack, 'a', { readTemplateFile: () => '- fprocess\n' })),
    ).toMatchObject({ code: 'ERR_STACK_TEMPLATE', message: expect.stringContaining('is invalid') });
  });

  it("carries the stack's warnings about the function and the provider, not those about other functions", () => {
    const stack = parseStack(`provider: {name: openfaas, network: x}
functions:
  a: {image: a, registry_auth: t}
  ab: {image: b, registry_auth: t}
`);
    expect(resolveFunction(stack, 'a').warnings?.map((warning) => warning.path)).toEqual([
      'provider.network',
      'functions.a.registry_auth',
    ]);
  });
});
