import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isMap, parse, parseDocument } from 'yaml';

// What faas-cli 0.18 does to a project folder, reproduced for tests (test machines have no faas-cli): the
// build context of `build`, `publish` and `up` (builder/build_context.go), the docker commands it runs
// (builder/build.go, builder/publish.go), and `new`. It reads stack.yml with a plain YAML parser, as faas-cli
// does, so these tests do not lean on the workspace's own stack.yml library.

/** A function entry, in the fields faas-cli's build reads. */
export interface FaasFunction {
  lang: string;
  handler: string;
  image: string;
  build_args?: Record<string, string>;
  build_secrets?: Record<string, string>;
}

/** The parts of stack.yml faas-cli's build reads. */
export interface FaasStack {
  functions: Record<string, FaasFunction>;
  configuration?: { copy?: string[] };
}

/** Parses stack.yml text. */
export function parseFaasStack(text: string): FaasStack {
  return parse(text) as FaasStack;
}

function functionOf(stack: FaasStack, name: string): FaasFunction {
  const fn = stack.functions[name];
  if (fn === undefined) throw new Error(`no function ${name} in the stack`);
  return fn;
}

/**
 * Writes faas-cli's build context for `name` and returns its folder, `<buildDir>/<name>`: emptied, then every
 * file of `template/<lang>/` at its root, the handler folder's entries (but `build` and `template`) in
 * `function/`, and each `configuration.copy` path (inside the project, not the project itself) in
 * `function/<path>`.
 */
export function writeBuildContext(
  projectDir: string,
  stack: FaasStack,
  name: string,
  buildDir = join(projectDir, 'build'),
): string {
  const fn = functionOf(stack, name);
  const context = join(buildDir, name);
  const functionDir = join(context, 'function');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(functionDir, { recursive: true });
  cpSync(join(projectDir, 'template', fn.lang), context, { recursive: true });
  const handler = resolve(projectDir, fn.handler);
  for (const entry of readdirSync(handler)) {
    if (entry === 'build' || entry === 'template') continue;
    cpSync(join(handler, entry), join(functionDir, entry), { recursive: true });
  }
  for (const path of stack.configuration?.copy ?? []) {
    const inside = relative(projectDir, resolve(projectDir, path));
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw new Error(`forbidden path appears to be outside of the build context: ${path}`);
    }
    cpSync(resolve(projectDir, path), join(functionDir, inside), { recursive: true });
  }
  return context;
}

/** The flags faas-cli adds for the function's `build_args` and `build_secrets`. */
function buildFlags(fn: FaasFunction): string[] {
  return [
    ...Object.entries(fn.build_args ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...Object.entries(fn.build_secrets ?? {}).flatMap(([id, src]) => ['--secret', `id=${id},src=${src}`]),
  ];
}

/** `faas-cli build`: `docker build` of the context, tagged with the function's image. Run it in the context. */
export function buildCommand(stack: FaasStack, name: string): string[] {
  const fn = functionOf(stack, name);
  return ['build', ...buildFlags(fn), '--tag', fn.image, '.'];
}

/** `faas-cli publish --platforms <list>`: one buildx run that pushes every platform. Run it in the context. */
export function publishCommand(stack: FaasStack, name: string, platforms: string): string[] {
  const fn = functionOf(stack, name);
  return [
    'buildx',
    'build',
    '--progress=plain',
    `--platform=${platforms}`,
    '--output=type=registry,push=true',
    ...buildFlags(fn),
    '--tag',
    fn.image,
    '.',
  ];
}

/**
 * `faas-cli new <name> --lang <lang> --append <stackFile>`: copies `template/<lang>/function/` to `./<name>/`
 * and adds the function to the stack file (a new file gets version and provider first).
 */
export function newFunction(
  projectDir: string,
  name: string,
  lang: string,
  image: string,
  stackFile = 'stack.yml',
): void {
  const target = join(projectDir, name);
  if (existsSync(target)) throw new Error(`Folder: ${name} already exists`);
  cpSync(join(projectDir, 'template', lang, 'function'), target, { recursive: true });
  const path = join(projectDir, stackFile);
  const doc = existsSync(path)
    ? parseDocument(readFileSync(path, 'utf8'))
    : parseDocument(
        'version: 1.0\nprovider:\n  name: openfaas\n  gateway: http://127.0.0.1:8080\nfunctions: {}\n',
      );
  if (!isMap(doc.get('functions'))) doc.set('functions', doc.createNode({}));
  doc.setIn(['functions', name], doc.createNode({ lang, handler: `./${name}`, image }));
  writeFileSync(path, doc.toString());
}
