import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  formatHomefaasConfig,
  HOMEFAAS_CONFIG_FILE,
  type HomefaasConfig,
  parseHomefaasConfig,
  parseStack,
  STACK_FILE,
} from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import {
  addDependenciesToPackageJson,
  type GeneratorCallback,
  getProjects,
  installPackagesTask,
  logger,
  readJson,
  readNxJson,
  type Tree,
  updateNxJson,
  writeJson,
} from '@nx/devkit';
import { withHintInMessage } from '../../common/hint-in-message';
import { npmWorkspacesCover } from '../../common/npm-workspaces';
import { PLUGIN_PACKAGE_NAME } from '../../common/plugin-package';
import { updateRegistryConfig } from '../../common/workspace-config';
import { DEFAULT_LANG } from '../../function/function-project';
import { packagedTemplatesDir, WORKSPACE_TEMPLATES_DIR } from '../../function/function-template';
import { SYNC_PUBLISH_INPUTS } from '../../publish/publish-inputs';
import type { InitGeneratorSchema } from './schema';

/** stack.yml as init writes it: the provider, no functions yet (`new-function` adds them). */
export const INITIAL_STACK = `# The functions of this workspace, in faas-cli's format. \`npx nx g ${PLUGIN_PACKAGE_NAME}:new-function <name>\`
# adds one; \`npx nx run <name>:publish\` builds, pushes and deploys it.
version: 1.0
provider:
  name: openfaas
`;

/** What must never be committed: the CA key and issued keys, registry passwords and data, secrets, locks. */
export const GITIGNORE_LINES = [
  '*.key',
  'infra/ca/old/',
  'infra/registry/auth/',
  'infra/registry/data/',
  'infra/secrets/',
  '.homefaas/',
  'infra/openfaas/**/config.json',
  'infra/openfaas/**/registries.yaml',
  'infra/openfaas/**/*secret*.yaml',
  'dist/',
];

const GITIGNORE_HEADER = '# homefaas: private keys and secrets never leave the machine that made them.';

/** The project that holds the workspace-wide targets. */
export const INFRA_PROJECT = 'infra';

/** The TypeScript settings of functions, when the workspace has no tsconfig.base.json to add the path to. */
export const FUNCTIONS_TSCONFIG = 'functions/tsconfig.json';

/** The vitest init adds where the workspace has none: the specs new-function scaffolds import it and run on it. */
export const VITEST_VERSION = '^4.1.12';

/** One line of the summary: `✔` kept as it was, `↻` written. */
type Note = `✔ ${string}` | `↻ ${string}`;

/**
 * Sets homefaas up in a workspace: homefaas.json, stack.yml, infra/project.json (registry-up, doctor,
 * trust-builder), the .gitignore lines for keys and secrets, the TypeScript path of the template's runtime (so
 * an editor and tsc see the handler's types), optionally a copy of the template, and the plugin in nx.json's
 * `plugins` (which gives functions and libs their targets), and vitest in package.json's devDependencies when
 * the workspace has none (then `npm install` runs after the summary). Every check runs before the first
 * write; a file that exists is kept, or merged (.gitignore, tsconfig paths, nx.json plugins, package.json),
 * never replaced. Running it again changes nothing.
 */
export default async function initGenerator(
  tree: Tree,
  options: InitGeneratorSchema,
  templatesDir: string = packagedTemplatesDir(),
): Promise<GeneratorCallback> {
  const notes: Note[] = [];
  let install = false;
  try {
    assertInputs(tree, options, templatesDir);
    notes.push(ensureHomefaasConfig(tree, options));
    notes.push(ensureStack(tree));
    notes.push(ensureGitignore(tree));
    notes.push(ensureInfraProject(tree));
    notes.push(ensureTemplate(tree, options.copyTemplate === true, templatesDir));
    notes.push(ensureRuntimePath(tree, templatesDir));
    const vitest = ensureVitest(tree);
    install = vitest.startsWith('↻');
    notes.push(vitest);
    notes.push(ensurePluginRegistered(tree));
  } catch (error) {
    throw withHintInMessage(error);
  }
  return () => {
    for (const note of notes) logger.info(note);
    if (install) installPackagesTask(tree);
  };
}

/** What the writes rely on, checked first: the files init keeps are valid, and the plugin has its template. */
function assertInputs(tree: Tree, options: InitGeneratorSchema, templatesDir: string): void {
  // A broken file is reported, never overwritten.
  parseHomefaasConfig(tree.read(HOMEFAAS_CONFIG_FILE, 'utf8') ?? undefined);
  const stack = tree.read(STACK_FILE, 'utf8');
  if (stack !== null) parseStack(stack);
  if (!tree.exists(posix.join(WORKSPACE_TEMPLATES_DIR, DEFAULT_LANG))) {
    assertPackagedTemplate(join(templatesDir, DEFAULT_LANG));
  }
  if (options.registryHost !== undefined || options.registryPort !== undefined) {
    parseHomefaasConfig(JSON.stringify({ registry: registryOptions(options) }), 'the registry options');
  }
}

function registryOptions(options: InitGeneratorSchema): NonNullable<HomefaasConfig['registry']> {
  return {
    ...(options.registryHost === undefined ? {} : { host: options.registryHost }),
    ...(options.registryPort === undefined ? {} : { port: options.registryPort }),
  };
}

function ensureHomefaasConfig(tree: Tree, options: InitGeneratorSchema): Note {
  const registry = registryOptions(options);
  const current = tree.read(HOMEFAAS_CONFIG_FILE, 'utf8');
  if (current === null) {
    const defaults = parseHomefaasConfig(undefined);
    const config: HomefaasConfig = {
      registry: {
        host: defaults.registry.host,
        port: defaults.registry.port,
        user: defaults.registry.user,
        ...registry,
      },
      ca: { ...defaults.ca },
    };
    const text = formatHomefaasConfig(config);
    const resolved = parseHomefaasConfig(text);
    tree.write(HOMEFAAS_CONFIG_FILE, text);
    return `↻ created ${HOMEFAAS_CONFIG_FILE} (registry ${resolved.registry.host}:${resolved.registry.port})`;
  }
  if (Object.keys(registry).length > 0 && updateRegistryConfig(tree, registry)) {
    const resolved = parseHomefaasConfig(tree.read(HOMEFAAS_CONFIG_FILE, 'utf8') ?? undefined);
    return `↻ set the registry of ${HOMEFAAS_CONFIG_FILE} to ${resolved.registry.host}:${resolved.registry.port}, the rest kept`;
  }
  return `✔ kept ${HOMEFAAS_CONFIG_FILE} as it is`;
}

function ensureStack(tree: Tree): Note {
  const current = tree.read(STACK_FILE, 'utf8');
  if (current === null) {
    tree.write(STACK_FILE, INITIAL_STACK);
    return `↻ created ${STACK_FILE} (provider openfaas, no functions yet)`;
  }
  const functions = Object.keys(parseStack(current).functions).length;
  return `✔ kept ${STACK_FILE} as it is (${functions} function${functions === 1 ? '' : 's'})`;
}

function ensureGitignore(tree: Tree): Note {
  const current = tree.read('.gitignore', 'utf8') ?? '';
  const present = new Set(current.split(/\r?\n/).map(ignoreKey));
  const missing = GITIGNORE_LINES.filter((line) => !present.has(ignoreKey(line)));
  if (missing.length === 0) return '✔ .gitignore already keeps keys and secrets out of git';
  const lead = current === '' || current.endsWith('\n') ? current : `${current}\n`;
  const gap = lead === '' ? '' : '\n';
  tree.write('.gitignore', `${lead}${gap}${GITIGNORE_HEADER}\n${missing.join('\n')}\n`);
  return `↻ added ${missing.join(', ')} to .gitignore`;
}

/** A .gitignore line as a key: `dist`, `/dist` and `dist/` keep the same folder out. */
function ignoreKey(line: string): string {
  return line.trim().replace(/^\//, '').replace(/\/$/, '');
}

function ensureInfraProject(tree: Tree): Note {
  const existing = getProjects(tree).get(INFRA_PROJECT);
  if (existing !== undefined) {
    return `✔ kept the ${INFRA_PROJECT} project (${existing.root}) as it is`;
  }
  const path = `${INFRA_PROJECT}/project.json`;
  const target = (executor: string) => ({ executor: `${PLUGIN_PACKAGE_NAME}:${executor}`, options: {} });
  writeJson(tree, path, {
    name: INFRA_PROJECT,
    $schema: '../node_modules/nx/schemas/project-schema.json',
    targets: {
      'registry-up': target('registry-up'),
      doctor: target('doctor'),
      'trust-builder': target('trust-builder'),
    },
  });
  return `↻ created ${path} (registry-up, doctor, trust-builder)`;
}

function ensureTemplate(tree: Tree, copy: boolean, templatesDir: string): Note {
  const own = posix.join(WORKSPACE_TEMPLATES_DIR, DEFAULT_LANG);
  if (tree.exists(own)) return `✔ functions build with this workspace's ${own}`;
  if (!copy) {
    return `✔ functions build with the plugin's ${DEFAULT_LANG} template (--copyTemplate copies it into ${own} to change it)`;
  }
  const from = join(templatesDir, DEFAULT_LANG);
  assertPackagedTemplate(from);
  for (const file of listFiles(from)) tree.write(posix.join(own, file), readFileSync(join(from, file)));
  return `↻ copied the plugin's ${DEFAULT_LANG} template into ${own}`;
}

/**
 * Makes the template's runtime package (the handler's types) resolve for TypeScript: a path in
 * tsconfig.base.json, or functions/tsconfig.json when the workspace has no base config. Nothing when the
 * workspace's own template is an npm workspace package, which npm links into node_modules.
 */
function ensureRuntimePath(tree: Tree, templatesDir: string): Note {
  const own = posix.join(WORKSPACE_TEMPLATES_DIR, DEFAULT_LANG);
  const ownsTemplate = tree.exists(posix.join(own, 'package.json'));
  const templateDir = ownsTemplate ? own : `node_modules/${PLUGIN_PACKAGE_NAME}/template/${DEFAULT_LANG}`;
  const manifest = ownsTemplate
    ? (readJson(tree, posix.join(own, 'package.json')) as { name?: unknown; main?: unknown })
    : readPackagedManifest(join(templatesDir, DEFAULT_LANG));
  const runtime = String(manifest.name);
  if (ownsTemplate && npmWorkspacesCover(tree, own)) {
    return `✔ ${runtime} resolves through the npm workspace (${own})`;
  }
  const main = posix.join(templateDir, typeof manifest.main === 'string' ? manifest.main : 'index.ts');
  if (tree.exists('tsconfig.base.json')) return ensurePath(tree, 'tsconfig.base.json', runtime, main);
  if (tree.exists(FUNCTIONS_TSCONFIG)) return ensurePath(tree, FUNCTIONS_TSCONFIG, runtime, `../${main}`);
  writeJson(tree, FUNCTIONS_TSCONFIG, {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'preserve',
      moduleResolution: 'bundler',
      strict: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
      paths: { [runtime]: [`../${main}`] },
    },
    include: ['*/src/**/*.ts'],
  });
  return `↻ created ${FUNCTIONS_TSCONFIG} (${runtime} → ${main})`;
}

function ensurePath(tree: Tree, file: string, name: string, target: string): Note {
  const config = readJson(tree, file) as { compilerOptions?: { paths?: Record<string, string[]> } };
  const current = config.compilerOptions?.paths?.[name];
  if (current !== undefined) {
    return current.includes(target)
      ? `✔ ${file} maps ${name} already`
      : `✔ kept the path of ${name} in ${file} as it is (${current.join(', ')})`;
  }
  const compilerOptions = config.compilerOptions ?? {};
  writeJson(tree, file, {
    ...config,
    compilerOptions: { ...compilerOptions, paths: { ...compilerOptions.paths, [name]: [target] } },
  });
  return `↻ added the path ${name} → ${target} to ${file}`;
}

/** vitest in the root package.json, which a function's spec imports; a version there is never changed. */
function ensureVitest(tree: Tree): Note {
  if (!tree.exists('package.json')) {
    return "✔ no package.json to add vitest to: install it to run functions' tests";
  }
  const manifest = readJson(tree, 'package.json') as {
    dependencies?: Record<string, unknown>;
    devDependencies?: Record<string, unknown>;
  };
  if (manifest.dependencies?.vitest !== undefined || manifest.devDependencies?.vitest !== undefined) {
    return "✔ package.json has vitest already (functions' tests)";
  }
  // Its install callback is not taken: init installs once, after its summary.
  addDependenciesToPackageJson(tree, {}, { vitest: VITEST_VERSION }, 'package.json', true);
  return "↻ added vitest to devDependencies (functions' tests)";
}

function ensurePluginRegistered(tree: Tree): Note {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some(
    (entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_PACKAGE_NAME,
  );
  const globalGenerators = nxJson.sync?.globalGenerators ?? [];
  const syncing = globalGenerators.includes(SYNC_PUBLISH_INPUTS);
  if (registered && syncing)
    return `✔ nx.json registers ${PLUGIN_PACKAGE_NAME} and its sync generator already`;
  updateNxJson(tree, {
    ...nxJson,
    plugins: registered ? plugins : [...plugins, PLUGIN_PACKAGE_NAME],
    sync: {
      ...nxJson.sync,
      globalGenerators: syncing ? globalGenerators : [...globalGenerators, SYNC_PUBLISH_INPUTS],
    },
  });
  return `↻ registered ${PLUGIN_PACKAGE_NAME} in nx.json: in plugins (targets of functions and libs) and sync.globalGenerators (\`npx nx sync\` writes each function's publish-inputs.json)`;
}

function readPackagedManifest(dir: string): { name?: unknown; main?: unknown } {
  assertPackagedTemplate(dir);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; main?: unknown };
}

function assertPackagedTemplate(dir: string): void {
  if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'Dockerfile'))) return;
  throw new HomefaasError('ERR_BUILD_TEMPLATE', `The plugin's template ${dir} is missing or incomplete.`, {
    hint: `Reinstall ${PLUGIN_PACKAGE_NAME}; in its own repository, build it first (npm run build -w ${PLUGIN_PACKAGE_NAME}).`,
  });
}

/** Every file under `dir`, relative and with `/`, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(dir, prefix)).sort()) {
    const path = prefix === '' ? entry : `${prefix}/${entry}`;
    if (statSync(join(dir, path)).isDirectory()) files.push(...listFiles(dir, path));
    else files.push(path);
  }
  return files;
}
