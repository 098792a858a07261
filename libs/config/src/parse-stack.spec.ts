import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { parseStack } from './parse-stack';

/** Every field faas-cli's schema knows, as `faas-cli new` and the docs write them. */
const FULL = `version: 1.0
provider:
  name: openfaas
  gateway: \${OPENFAAS_URL:-http://127.0.0.1:8080}
functions:
  hello:
    lang: node22-ts
    handler: ./functions/hello
    image: \${REGISTRY}/hello:latest
    environment:
      VERSION: 1.10
      DEBUG: true
      RATIO: 0.5
      EMPTY:
    environment_file: [env/common.yml, env/hello.yml]
    secrets: [api-key, db.password]
    labels: {com.openfaas.scale.min: 2}
    annotations: {topic: cron}
    limits: {memory: 128Mi, cpu: 100m}
    requests: {memory: 64Mi, cpu: 1}
    constraints: ["node.platform.os == linux"]
    readonly_root_filesystem: true
    build_args: {NODE_ENV: production}
    build_secrets: {npmrc: ~/.npmrc}
    build_options: [dev]
    platforms: linux/arm64, linux/arm/v7
    namespace: openfaas-fn
    skip_build: false
    fprocess: node index.js
configuration:
  templates:
    - name: node22-ts
      source: https://example.invalid/templates
  copy: [./libs/shared]
x-defaults: &defaults
  lang: node22-ts
`;

function failure(text: string): { code: string; lines: string[] } {
  try {
    parseStack(text);
  } catch (error) {
    if (isHomefaasError(error)) return { code: error.code, lines: error.message.split('\n') };
    throw error;
  }
  throw new Error('expected parseStack to throw');
}

describe('parseStack', () => {
  it('reads every faas-cli field, substituting the environment first', () => {
    const stack = parseStack(FULL, { REGISTRY: 'reg.lab:5000' });
    expect(stack.version).toBe('1.0');
    expect(stack.provider).toEqual({ name: 'openfaas', gateway: 'http://127.0.0.1:8080' });
    expect(stack.configuration).toEqual({
      templates: [{ name: 'node22-ts', source: 'https://example.invalid/templates' }],
      copy: ['./libs/shared'],
    });
    expect(stack.functions.hello).toEqual({
      lang: 'node22-ts',
      handler: './functions/hello',
      image: 'reg.lab:5000/hello:latest',
      // Scalars read as text the way faas-cli's Go decoder reads them: 1.10 stays "1.10".
      environment: { VERSION: '1.10', DEBUG: 'true', RATIO: '0.5', EMPTY: '' },
      environment_file: ['env/common.yml', 'env/hello.yml'],
      secrets: ['api-key', 'db.password'],
      labels: { 'com.openfaas.scale.min': '2' },
      annotations: { topic: 'cron' },
      limits: { memory: '128Mi', cpu: '100m' },
      requests: { memory: '64Mi', cpu: '1' },
      constraints: ['node.platform.os == linux'],
      readonly_root_filesystem: true,
      build_args: { NODE_ENV: 'production' },
      build_secrets: { npmrc: '~/.npmrc' },
      build_options: ['dev'],
      platforms: 'linux/arm64, linux/arm/v7',
      namespace: 'openfaas-fn',
      skip_build: false,
      fprocess: 'node index.js',
    });
  });

  it('uses the gateway from the environment when it is set', () => {
    expect(parseStack(FULL, { OPENFAAS_URL: 'https://gw.lab:8080' }).provider.gateway).toBe(
      'https://gw.lab:8080',
    );
  });

  it('accepts a minimal file, a missing version and empty sections', () => {
    const stack = parseStack('provider:\n  name: openfaas\nfunctions:\nconfiguration:\n');
    expect(stack).toEqual({ version: '1.0', provider: { name: 'openfaas' }, functions: {}, warnings: [] });
  });

  it('accepts what faas-cli 0.18 no longer reads, and returns a warning for each instead of printing', () => {
    const stack = parseStack(`provider: {name: openfaas, network: func_functions}
functions:
  a: {image: a, registry_auth: dXNlcjpwYXNz}
  b: {image: b}
`);
    expect(stack.warnings).toEqual([
      {
        path: 'provider.network',
        message: expect.stringMatching(/^faas-cli 0\.18 no longer reads it .*remove it\.$/),
      },
      {
        path: 'functions.a.registry_auth',
        message: expect.stringMatching(
          /^faas-cli 0\.18 no longer reads it: .*npx nx g node-trust.*remove it\.$/,
        ),
      },
    ]);
    expect(stack.functions.b).toEqual({ image: 'b' });
  });

  it('has no warning for a file faas-cli reads in full, homefaas platforms included', () => {
    expect(parseStack(FULL, { REGISTRY: 'reg.lab:5000' }).warnings).toEqual([]);
  });

  it('treats `field: ~` in a function as absent', () => {
    const stack = parseStack(
      'provider: {name: openfaas}\nfunctions:\n  a:\n    image: a\n    environment: ~\n    secrets:\n',
    );
    expect(stack.functions.a).toEqual({ image: 'a' });
  });

  it.each([
    ['version 2', 'version: 2.0\nprovider: {name: openfaas}\n', ['version: expected "1.0", got "2.0"']],
    [
      'version 1 written without .0',
      'version: 1\nprovider: {name: openfaas}\n',
      ['version: expected "1.0", got "1"'],
    ],
    ['provider faas', 'provider: {name: faas}\n', ['provider.name: expected "openfaas", got "faas"']],
    ['no provider', 'functions: {}\n', ['provider: expected a value, got nothing']],
    [
      'a gateway without scheme',
      'provider: {name: openfaas, gateway: gw.lab:8080}\n',
      ['provider.gateway: expected an http:// or https:// URL, got "gw.lab:8080"'],
    ],
    [
      'an uppercase function name',
      'provider: {name: openfaas}\nfunctions:\n  Hello: {image: a}\n',
      [
        `functions.Hello: expected a lowercase DNS label: a-z, 0-9 and '-', not at either end, at most 63 characters, got the name "Hello"`,
      ],
    ],
    [
      'a function without image',
      'provider: {name: openfaas}\nfunctions:\n  a: {lang: x}\n',
      ['functions.a.image: expected a value, got nothing'],
    ],
    [
      'a misspelt field',
      'provider: {name: openfaas}\nfunctions:\n  a: {image: a, enviroment: {A: b}}\n',
      [
        'functions.a.enviroment: expected one of the known fields (lang, handler, image, fprocess, registry_auth, environment, environment_file, secrets, labels, annotations, limits, requests, constraints, readonly_root_filesystem, build_args, build_secrets, build_options, platforms, namespace, skip_build), got an unknown field',
      ],
    ],
    [
      'platforms written as a list',
      'provider: {name: openfaas}\nfunctions:\n  a: {image: a, platforms: [linux/amd64]}\n',
      ['functions.a.platforms: expected a string, got a list'],
    ],
    [
      'a platform without architecture',
      'provider: {name: openfaas}\nfunctions:\n  a: {image: a, platforms: "linux/amd64,linux"}\n',
      [
        'functions.a.platforms: expected a comma list of platforms such as linux/amd64,linux/arm64,linux/arm/v7, got "linux/amd64,linux"',
      ],
    ],
    [
      'readonly_root_filesystem as yes',
      'provider: {name: openfaas}\nfunctions:\n  a: {image: a, readonly_root_filesystem: "yes"}\n',
      ['functions.a.readonly_root_filesystem: expected true or false, got "yes"'],
    ],
    [
      'a limit with an unknown resource',
      'provider: {name: openfaas}\nfunctions:\n  a: {image: a, limits: {gpu: 1}}\n',
      ['functions.a.limits.gpu: expected one of the known fields (memory, cpu), got an unknown field'],
    ],
    [
      'environment as a list',
      'provider: {name: openfaas}\nfunctions:\n  a: {image: a, environment: [A=b]}\n',
      ['functions.a.environment: expected a map, got a list'],
    ],
    [
      'an unknown top-level key',
      'provider: {name: openfaas}\nfunction: {}\n',
      [
        'function: expected one of the known fields (version, provider, functions, configuration), got an unknown field',
      ],
    ],
    [
      'a template without name',
      'provider: {name: openfaas}\nconfiguration: {templates: [{source: x}]}\n',
      ['configuration.templates.0.name: expected a value, got nothing'],
    ],
  ])('rejects %s', (_name, text, expected) => {
    const { code, lines } = failure(text);
    expect(code).toBe('ERR_STACK_INVALID');
    expect(lines).toEqual(['stack.yml is invalid:', ...expected.map((line) => `  - ${line}`)]);
  });

  it('lists every problem of a file at once', () => {
    const { lines } = failure(
      'version: 2\nprovider: {name: faas}\nfunctions:\n  Bad_Name: {image: x}\n  ok: {limits: {memory: [1]}}\n',
    );
    expect(lines).toEqual([
      'stack.yml is invalid:',
      '  - version: expected "1.0", got "2"',
      '  - provider.name: expected "openfaas", got "faas"',
      `  - functions.Bad_Name: expected a lowercase DNS label: a-z, 0-9 and '-', not at either end, at most 63 characters, got the name "Bad_Name"`,
      '  - functions.ok.image: expected a value, got nothing',
      '  - functions.ok.limits.memory: expected a string, got a list',
    ]);
  });

  it('rejects a 64-character function name', () => {
    const { lines } = failure(`provider: {name: openfaas}\nfunctions:\n  ${'a'.repeat(64)}: {image: x}\n`);
    expect(lines[1]).toContain(`functions.${'a'.repeat(64)}: expected a lowercase DNS label`);
  });

  it('names YAML syntax errors with ERR_STACK_PARSE and the position', () => {
    let caught: unknown;
    try {
      parseStack('provider:\n  name: openfaas\n functions: [\n', {}, 'my-stack.yml');
    } catch (error) {
      caught = error;
    }
    expect(isHomefaasError(caught, 'ERR_STACK_PARSE')).toBe(true);
    expect((caught as Error).message).toMatch(/^my-stack\.yml is not valid YAML: .*line 3/);
  });

  it('rejects a file that is not a map', () => {
    expect(failure('- a\n- b\n')).toEqual({
      code: 'ERR_STACK_INVALID',
      lines: ['stack.yml is invalid:', '  - (root): expected a map'],
    });
  });
});
