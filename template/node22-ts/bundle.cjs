// Bundles the build context faas-cli writes (build/<fn>/: this template folder, the function's handler folder in
// function/, each `configuration.copy` path in function/<path>) into one index.js, as the workspace's own build
// does. The Dockerfile runs it in a stage on the build platform, with no network and no npm: esbuild arrives as
// its npm tarball, which holds one static binary.
'use strict';

const { spawnSync } = require('node:child_process');
const {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative, resolve, sep } = require('node:path');
const { gunzipSync } = require('node:zlib');

/** Where faas-cli puts the handler folder, relative to the context. */
const FUNCTION_DIR = 'function';

/**
 * The handler module, looked for in this order: the official Node templates keep `handler.js` at the top of
 * the folder, this template's starter and the workspace's functions keep `src/handler.ts`. The starter stays in
 * every context faas-cli writes (it copies the template's function/ before the handler folder), so a top-level
 * handler wins, and a function's `src/handler.ts` replaces the starter's.
 */
const HANDLER_FILES = ['handler.ts', 'handler.js', 'src/handler.ts'];

/** Node version of the oldest base image a function runs on; the bundle must parse there. */
const TARGET = 'node20';

/** The entry in the esbuild npm tarball that is the binary. */
const ESBUILD_ENTRY = 'package/bin/esbuild';

/**
 * Writes `outfile`: the function's handler, the template's runtime and every package copied into the context,
 * in one CommonJS file that starts the runtime. Packages resolve by the names in their package.json: the
 * template's own (the runtime) and each one under function/ (workspace libs copied by `configuration.copy`).
 * A dependency from npm is found when the handler folder holds its node_modules.
 * @param {{ context?: string, esbuildArchive: string, outfile: string }} options
 */
function bundleContext(options) {
  const context = resolve(options.context ?? '.');
  const handler = findHandler(context);
  const runtime = readManifest(join(context, 'package.json'));
  if (runtime?.name === undefined) throw new Error(`${join(context, 'package.json')} has no name.`);
  const aliases = new Map([[runtime.name, '.']]);
  for (const [name, dir] of findPackages(join(context, FUNCTION_DIR))) {
    if (!aliases.has(name)) aliases.set(name, `./${toPosix(relative(context, dir))}`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'bundle-'));
  try {
    const entry = join(scratch, 'entry.ts');
    writeFileSync(entry, entrySource(runtime.name, handler));
    const esbuild = extractEsbuild(options.esbuildArchive, scratch);
    const args = [
      entry,
      '--bundle',
      '--platform=node',
      `--target=${TARGET}`,
      '--format=cjs',
      '--charset=utf8',
      '--legal-comments=eof',
      '--log-level=warning',
      `--outfile=${options.outfile}`,
      ...[...aliases].map(([name, path]) => `--alias:${name}=${path}`),
    ];
    const result = spawnSync(esbuild, args, { cwd: context, stdio: 'inherit' });
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(
        `esbuild could not bundle ${toPosix(relative(context, handler))} (exit ${result.status}), see above. ` +
          'A workspace lib it imports must be in the context: list its folder under configuration.copy in stack.yml.',
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Absolute path of the handler module under function/. */
function findHandler(context) {
  for (const file of HANDLER_FILES) {
    const path = join(context, FUNCTION_DIR, file);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `No handler in ${FUNCTION_DIR}/: expected one of ${HANDLER_FILES.join(', ')}. faas-cli copies the function's handler folder there.`,
  );
}

/**
 * `[name, folder]` of every package.json below `root` (not `root`'s own, which names the function itself),
 * shallowest first, skipping node_modules and hidden folders.
 */
function findPackages(root) {
  const found = [];
  const walk = (dir, depth) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    if (depth > 0 && entries.some((entry) => entry.isFile() && entry.name === 'package.json')) {
      const name = readManifest(join(dir, 'package.json'))?.name;
      if (typeof name === 'string' && name !== '') found.push({ name, dir, depth });
    }
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
        walk(join(dir, entry.name), depth + 1);
      }
    }
  };
  if (existsSync(root)) walk(root, 0);
  return found.sort((a, b) => a.depth - b.depth).map(({ name, dir }) => [name, dir]);
}

function readManifest(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The same entry the workspace's build writes: the runtime finds the handler in the module and serves it. */
function entrySource(runtime, handler) {
  return [
    `import { startFromEnv } from ${JSON.stringify(runtime)};`,
    `import * as handlerModule from ${JSON.stringify(handler)};`,
    '',
    'void startFromEnv(handlerModule);',
    '',
  ].join('\n');
}

/** Unpacks the esbuild binary from its npm tarball (gzip, then 512-byte tar headers) into `dir`. */
function extractEsbuild(archive, dir) {
  const tar = gunzipSync(readFileSync(archive));
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) => header.toString('latin1', start, start + length).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`;
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const body = offset + 512;
    if (name === ESBUILD_ENTRY) {
      const binary = join(dir, 'esbuild');
      writeFileSync(binary, tar.subarray(body, body + size));
      chmodSync(binary, 0o755);
      return binary;
    }
    offset = body + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${archive} holds no ${ESBUILD_ENTRY}: it is not an esbuild platform package.`);
}

function toPosix(path) {
  return path.split(sep).join('/');
}

module.exports = { bundleContext };
