import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { addFunctionToStack } from './add-function';
import { parseStack } from './parse-stack';

const EXISTING = `# Functions of the home lab
version: 1.0
provider:
  name: openfaas
  gateway: \${OPENFAAS_URL:-https://gw.lab:8080} # overridden by OPENFAAS_URL
functions:
  # The first one
  first:
    lang: node22-ts
    handler: ./functions/first
    image: reg.lab:5000/first:latest
    environment: {A: "1.10"}
configuration:
  templates: [{name: node22-ts}]
`;

describe('addFunctionToStack', () => {
  it('creates a fresh stack with version 1.0 and provider openfaas', () => {
    const text = addFunctionToStack(undefined, 'hello', {
      lang: 'node22-ts',
      handler: './functions/hello',
      image: 'reg.lab:5000/hello:latest',
    });
    expect(text).toBe(
      [
        'version: 1.0',
        'provider:',
        '  name: openfaas',
        'functions:',
        '  hello:',
        '    lang: node22-ts',
        '    handler: ./functions/hello',
        '    image: reg.lab:5000/hello:latest',
        '',
      ].join('\n'),
    );
    expect(parseStack(text).functions.hello?.image).toBe('reg.lab:5000/hello:latest');
  });

  it('keeps comments, variables and the other functions, and appends the new one', () => {
    const text = addFunctionToStack(EXISTING, 'second', {
      lang: 'node22-ts',
      handler: './functions/second',
      image: 'reg.lab:5000/second:latest',
    });
    expect(text).toContain('# Functions of the home lab');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a stack.yml variable, kept as written.
    expect(text).toContain('gateway: ${OPENFAAS_URL:-https://gw.lab:8080} # overridden by OPENFAAS_URL');
    expect(text).toContain('# The first one');
    expect(text).toContain('environment: { A: "1.10" }');
    expect(text.indexOf('  first:')).toBeLessThan(text.indexOf('  second:'));
    const stack = parseStack(text, {});
    expect(Object.keys(stack.functions)).toEqual(['first', 'second']);
    expect(stack.functions.first?.environment).toEqual({ A: '1.10' });
    expect(stack.configuration?.templates).toEqual([{ name: 'node22-ts' }]);
    expect(stack.functions.second).toEqual({
      lang: 'node22-ts',
      handler: './functions/second',
      image: 'reg.lab:5000/second:latest',
    });
  });

  it('adds functions: to a stack that has none', () => {
    const text = addFunctionToStack('version: 1.0\nprovider: {name: openfaas}\n', 'a', { image: 'a:1' });
    expect(parseStack(text).functions).toEqual({ a: { image: 'a:1' } });
  });

  it('writes maps, lists and flags in faas-cli field names', () => {
    const text = addFunctionToStack(undefined, 'a', {
      image: 'a:1',
      environment: { VERSION: '1.10' },
      secrets: ['api-key'],
      readonly_root_filesystem: true,
      platforms: 'linux/amd64,linux/arm64',
    });
    expect(parseStack(text).functions.a).toEqual({
      image: 'a:1',
      environment: { VERSION: '1.10' },
      secrets: ['api-key'],
      readonly_root_filesystem: true,
      platforms: 'linux/amd64,linux/arm64',
    });
  });

  it('refuses a name that is already there, leaving the caller text untouched', () => {
    let caught: unknown;
    try {
      addFunctionToStack(EXISTING, 'first', { image: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(isHomefaasError(caught, 'ERR_STACK_EXISTS')).toBe(true);
    expect((caught as Error).message).toBe('Function "first" is already in stack.yml');
  });

  it('refuses an invalid function name', () => {
    expect(() => addFunctionToStack(undefined, 'My_Fn', { image: 'x' })).toThrow(
      /Invalid function name "My_Fn"/,
    );
  });

  it('refuses a stack that is not YAML', () => {
    let caught: unknown;
    try {
      addFunctionToStack('functions: [\n', 'a', { image: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(isHomefaasError(caught, 'ERR_STACK_PARSE')).toBe(true);
  });
});
