import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

/** A package of the npm workspace: where it lives and the file its `main` names. */
export interface WorkspacePackage {
  name: string;
  /** Absolute folder of the package. */
  dir: string;
  /** `main` of its package.json, relative to `dir` (`index` when it has none). */
  main: string;
}

/**
 * Every package the root package.json's `workspaces` globs name (`libs/*`, `template/*`, ...), read from
 * the folders themselves, so a package created since the last `npm install` is found too.
 */
export function readWorkspacePackages(workspaceRoot: string): Map<string, WorkspacePackage> {
  const rootManifest = readJson(join(workspaceRoot, 'package.json'));
  const globs = Array.isArray(rootManifest?.workspaces) ? (rootManifest.workspaces as unknown[]) : [];
  const packages = new Map<string, WorkspacePackage>();
  for (const glob of globs) {
    if (typeof glob !== 'string') continue;
    for (const dir of expandWorkspaceGlob(workspaceRoot, glob)) {
      const manifest = readJson(join(dir, 'package.json'));
      if (typeof manifest?.name !== 'string') continue;
      const main = typeof manifest.main === 'string' ? manifest.main : 'index';
      packages.set(manifest.name, { name: manifest.name, dir, main });
    }
  }
  return packages;
}

/**
 * An esbuild plugin that resolves workspace package names (and their subpaths) to their source folders
 * directly, instead of through the node_modules links `npm install` makes: a new function or lib bundles
 * before anyone has run it.
 */
export function workspacePackagesPlugin(packages: ReadonlyMap<string, WorkspacePackage>): Plugin {
  return {
    name: 'homefaas-workspace-packages',
    setup(build) {
      if (packages.size === 0) return;
      const names = [...packages.keys()].map(escapeRegExp).join('|');
      const filter = new RegExp(`^(${names})(/.*)?$`);
      build.onResolve({ filter }, async (args) => {
        const match = filter.exec(args.path);
        const found = match?.[1] === undefined ? undefined : packages.get(match[1]);
        if (found === undefined) return undefined;
        const target = match?.[2] ? `.${match[2]}` : `./${found.main.replace(/^\.\//, '')}`;
        const result = await build.resolve(target, {
          kind: args.kind,
          resolveDir: found.dir,
          importer: args.importer,
        });
        if (result.errors.length > 0) return { errors: result.errors };
        return { path: result.path, external: result.external, sideEffects: result.sideEffects };
      });
    },
  };
}

function expandWorkspaceGlob(root: string, glob: string): string[] {
  const clean = glob.replace(/^\.\//, '').replace(/\/$/, '');
  if (!clean.endsWith('/*')) return existsSync(join(root, clean)) ? [join(root, clean)] : [];
  const parent = join(root, clean.slice(0, -2));
  if (!existsSync(parent)) return [];
  // statSync follows links: a linked package folder counts, as it does for npm.
  return readdirSync(parent)
    .map((entry) => join(parent, entry))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true)
    .sort();
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
