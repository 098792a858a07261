import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';

/** Folders a project's unit specs are never in: installed packages, build output, faas-cli's copies. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'build']);

/** The files at a workspace's root that give vitest a configuration of the workspace's own. */
const VITEST_CONFIG = /^vitest\.(config|workspace)\.[cm]?[jt]s$|^vitest\.workspace\.json$/;

/** The package.json fields the inferred targets read. */
export interface PackageManifest {
  name?: unknown;
  scripts?: Record<string, unknown>;
}

/** A project's package.json, or `{}` when it has none or it is not a JSON object. */
export function readManifest(dir: string): PackageManifest {
  const path = join(dir, 'package.json');
  if (!existsSync(path)) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as PackageManifest)
      : {};
  } catch {
    // The package.json plugin of Nx reports a broken file itself.
    return {};
  }
}

/**
 * The `test` target of a function or lib at `root`. A project with a `test` script of its own (an imported
 * faas-cli function's `node --test`) runs it; Nx's package.json plugin infers the same `nx:run-script`, and
 * the two merge. Any other runs vitest on the folder: the `unit` project where the workspace's root vitest
 * config names one (this repository), vitest's defaults otherwise (as in a workspace create-nx-workspace
 * made, or one whose config has no such project).
 * `--passWithNoTests` only where the folder holds no unit spec, so a folder whose specs vitest fails to find
 * still fails.
 */
export function testTarget(
  workspaceRoot: string,
  root: string,
  manifest: PackageManifest,
): TargetConfiguration {
  const common = { cache: true, inputs: ['default', '^production'] };
  if (typeof manifest.scripts?.test === 'string') {
    return { executor: 'nx:run-script', ...common, options: { script: 'test' } };
  }
  const project = hasUnitProject(workspaceRoot) ? ' --project unit' : '';
  const noSpecs = hasUnitSpecs(join(workspaceRoot, root)) ? '' : ' --passWithNoTests';
  return {
    executor: 'nx:run-commands',
    ...common,
    // The trailing slash keeps `functions/hello` from also running `functions/hello-world`.
    options: { command: `npx vitest run${project} ${root}/${noSpecs}`, cwd: '{workspaceRoot}' },
  };
}

/** A project named `unit` in a vitest config (`name: 'unit'` in code, `"name": "unit"` in JSON). */
const UNIT_PROJECT = /["']?name["']?\s*:\s*["'`]unit["'`]/;

/**
 * Whether a vitest config or workspace file at the workspace's root (vitest.config.mts and the like) names a
 * `unit` project, as this repository's does. Read as text: running the config is the test run's business.
 */
function hasUnitProject(workspaceRoot: string): boolean {
  if (!existsSync(workspaceRoot)) return false;
  return readdirSync(workspaceRoot)
    .filter((name) => VITEST_CONFIG.test(name))
    .some((name) => UNIT_PROJECT.test(readFileSync(join(workspaceRoot, name), 'utf8')));
}

/** Whether `dir` holds a unit spec (`*.spec.ts`, not `*.itg.spec.ts`) outside installed or built folders. */
function hasUnitSpecs(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || NOT_SOURCES.has(entry.name)) continue;
    if (entry.isDirectory() && hasUnitSpecs(join(dir, entry.name))) return true;
    if (entry.isFile() && entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.itg.spec.ts'))
      return true;
  }
  return false;
}
