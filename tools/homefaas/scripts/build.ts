// Builds the plugin into tools/homefaas/dist/ as an npm package any Nx workspace can install:
// - every executor, batch implementation, generator and the project-graph entry as one CommonJS file each, with
//   the workspace libs (@homefaas/*) bundled in and npm packages left as require()s, declared with their versions;
// - executors.json and generators.json pointing at those files, the schema files and the generators' files/;
// - the function templates (template/<lang>), which a workspace without its own template/ builds with.
//
// Usage: npm run build -w @homefaas/nx-plugin   (then `npm pack ./tools/homefaas/dist` for a tarball)
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** The plugin's folder (tools/homefaas). */
export const PLUGIN_DIR = resolve(__dirname, '..');
const WORKSPACE_ROOT = resolve(PLUGIN_DIR, '../..');

/** Where the package is written by default. */
export const DIST_DIR = join(PLUGIN_DIR, 'dist');

/** The function templates the package carries, from the workspace's template/. */
const TEMPLATES = ['node22-ts'];

/** Template files that only test the template itself: left out of the package. */
const TEMPLATE_TEST_FILE = /^runtime\/(.*\.spec\.ts|test-support(\/.*)?)$/;

/** Workspace packages: bundled into the plugin, never dependencies of the package. */
const WORKSPACE_SCOPE = '@homefaas/';

/**
 * Nx itself is the workspace's: the package asks for it as a peer (one Nx per workspace), and for
 * `@nx/devkit` of the same major, whatever minor the workspace runs.
 */
const NX_PEER = 'nx';

/** An entry file of the package: its source and the file it becomes, both relative to their folders. */
interface Entry {
  /** As executors.json / generators.json name it, without extension (`./src/executors/build/executor`). */
  path: string;
  /** Absolute source file. */
  source: string;
}

/** What {@link buildPlugin} wrote. */
export interface PluginBuild {
  outDir: string;
  /** Entry files written, relative to `outDir`. */
  entries: string[];
  /** `dependencies` of the package's package.json. */
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

type JsonMap = Record<string, unknown>;

/** Writes the package into `outDir` (emptied first). */
export async function buildPlugin(outDir: string = DIST_DIR): Promise<PluginBuild> {
  const manifest = readJson(join(PLUGIN_DIR, 'package.json'));
  const executorsFile = String(manifest.executors);
  const generatorsFile = String(manifest.generators);
  const executors = readJson(join(PLUGIN_DIR, executorsFile));
  const generators = readJson(join(PLUGIN_DIR, generatorsFile));

  const entries = new Map<string, Entry>();
  const addEntry = (path: unknown) => {
    if (typeof path !== 'string') return;
    const [file] = path.split('#');
    if (file === undefined || entries.has(file)) return;
    entries.set(file, { path: file, source: sourceOf(file) });
  };
  for (const config of Object.values(asMap(executors.executors))) {
    const executor = asMap(config);
    for (const key of ['implementation', 'batchImplementation', 'hasher']) addEntry(executor[key]);
  }
  for (const config of Object.values(asMap(generators.generators))) {
    const generator = asMap(config);
    addEntry(generator.factory ?? generator.implementation);
  }
  const main = typeof manifest.main === 'string' ? manifest.main.replace(/\.ts$/, '') : undefined;
  const hasMain = main !== undefined && existsSync(join(PLUGIN_DIR, `${main}.ts`));
  if (hasMain) addEntry(`./${main.replace(/^\.\//, '')}`);

  rmSync(outDir, { recursive: true, force: true });
  const external = new Map<string, Set<string>>();
  await build({
    entryPoints: Object.fromEntries(
      [...entries.values()].map((entry) => [outName(entry.path), entry.source]),
    ),
    outdir: outDir,
    absWorkingDir: WORKSPACE_ROOT,
    tsconfig: join(WORKSPACE_ROOT, 'tsconfig.json'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    charset: 'utf8',
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [npmPackagesExternal(external)],
  });

  const versions = declaredVersions();
  const dependencies: Record<string, string> = {};
  const peerDependencies: Record<string, string> = {};
  for (const [name, importers] of [...external].sort(([a], [b]) => a.localeCompare(b))) {
    if (name === NX_PEER) continue;
    const version = versions.get(name);
    if (version === undefined) {
      throw new Error(
        `${name} is imported by ${[...importers].join(', ')} but is not a dependency of the workspace or a lib.`,
      );
    }
    dependencies[name] = version;
  }
  const nxMajor = installedMajor('nx');
  // @nx/devkit loads the workspace's nx; the plugin needs the Nx line it is built with.
  peerDependencies[NX_PEER] = `^${nxMajor}.0.0`;
  if (dependencies['@nx/devkit'] !== undefined) dependencies['@nx/devkit'] = `^${nxMajor}.0.0`;

  writeJson(join(outDir, executorsFile), withJsEntries(executors, 'executors'));
  writeJson(join(outDir, generatorsFile), withJsEntries(generators, 'generators'));
  for (const config of [
    ...Object.values(asMap(executors.executors)),
    ...Object.values(asMap(generators.generators)),
  ]) {
    const schema = asMap(config).schema;
    if (typeof schema === 'string') copy(join(PLUGIN_DIR, schema), join(outDir, schema));
  }
  for (const entry of entries.values()) {
    const files = join(dirname(entry.source), 'files');
    if (existsSync(files)) copy(files, join(outDir, relative(PLUGIN_DIR, files)));
  }
  for (const lang of TEMPLATES) {
    const from = join(WORKSPACE_ROOT, 'template', lang);
    cpSync(from, join(outDir, 'template', lang), {
      recursive: true,
      filter: (path) => !TEMPLATE_TEST_FILE.test(toPosix(relative(from, path))),
    });
  }
  const readme = join(PLUGIN_DIR, 'README.md');
  if (existsSync(readme)) copy(readme, join(outDir, 'README.md'));

  const root = readJson(join(WORKSPACE_ROOT, 'package.json'));
  writeJson(join(outDir, 'package.json'), {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: root.license,
    keywords: ['nx', 'nx-plugin', 'openfaas', 'faas', 'registry', 'buildx'],
    type: 'commonjs',
    ...(hasMain ? { main: `./${outName(`./${main}`)}.js` } : {}),
    executors: executorsFile,
    generators: generatorsFile,
    dependencies,
    peerDependencies,
    engines: root.engines,
  });
  return {
    outDir,
    entries: [...entries.values()].map((entry) => `${outName(entry.path)}.js`).sort(),
    dependencies,
    peerDependencies,
  };
}

/**
 * Bundles every workspace package (`@homefaas/*`, TypeScript sources) and leaves each npm package as a
 * require(), recording which file imported it, so the package's dependencies are exactly what its code loads.
 */
function npmPackagesExternal(found: Map<string, Set<string>>): Plugin {
  return {
    name: 'homefaas-npm-packages-external',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path) || args.path.startsWith(WORKSPACE_SCOPE)) return undefined;
        const name = packageName(args.path);
        const importers = found.get(name) ?? new Set<string>();
        importers.add(toPosix(relative(WORKSPACE_ROOT, args.importer)));
        found.set(name, importers);
        return { path: args.path, external: true };
      });
    },
  };
}

/** The version range each npm package has where the workspace declares it: the root, then each lib. */
function declaredVersions(): Map<string, string> {
  const versions = new Map<string, string>();
  const manifests = [
    join(WORKSPACE_ROOT, 'package.json'),
    join(PLUGIN_DIR, 'package.json'),
    ...readdirSync(join(WORKSPACE_ROOT, 'libs')).map((lib) =>
      join(WORKSPACE_ROOT, 'libs', lib, 'package.json'),
    ),
  ];
  for (const path of manifests) {
    if (!existsSync(path)) continue;
    // Production dependencies only: code that loads a dev dependency must not reach the package.
    for (const [name, version] of Object.entries(asMap(readJson(path).dependencies))) {
      if (!name.startsWith(WORKSPACE_SCOPE) && typeof version === 'string' && !versions.has(name)) {
        versions.set(name, version);
      }
    }
  }
  return versions;
}

function installedMajor(name: string): number {
  const version = String(readJson(join(WORKSPACE_ROOT, 'node_modules', name, 'package.json')).version);
  return Number(version.split('.')[0]);
}

/** executors.json / generators.json with each implementation pointing at its built `.js` file. */
function withJsEntries(file: JsonMap, section: 'executors' | 'generators'): JsonMap {
  const configs = Object.entries(asMap(file[section])).map(([name, value]) => {
    const config = { ...asMap(value) };
    for (const key of ['implementation', 'batchImplementation', 'hasher', 'factory']) {
      const path = config[key];
      if (typeof path !== 'string') continue;
      const [module, exported] = path.split('#');
      config[key] = `${module}.js${exported === undefined ? '' : `#${exported}`}`;
    }
    return [name, config];
  });
  return { ...file, [section]: Object.fromEntries(configs) };
}

/** The source file of an implementation path (`./src/x/executor` → `<plugin>/src/x/executor.ts`). */
function sourceOf(path: string): string {
  for (const candidate of [`${path}.ts`, path]) {
    const file = join(PLUGIN_DIR, candidate);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  throw new Error(`No source file for ${path} under ${PLUGIN_DIR}.`);
}

/** The output name esbuild gets for an entry: its path without `./` and extension. */
function outName(path: string): string {
  return path.replace(/^\.\//, '').replace(/\.ts$/, '');
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}

function readJson(path: string): JsonMap {
  return asMap(JSON.parse(readFileSync(path, 'utf8')));
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function asMap(value: unknown): JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonMap) : {};
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

if (require.main === module) {
  const started = performance.now();
  buildPlugin().then(
    (result) => {
      const ms = Math.round(performance.now() - started);
      console.log(
        `✔ Built ${relative(process.cwd(), result.outDir) || '.'} in ${ms} ms: ${result.entries.length} entry files`,
      );
      console.log(`  dependencies: ${Object.keys(result.dependencies).join(', ')}`);
    },
    (error: unknown) => {
      console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
