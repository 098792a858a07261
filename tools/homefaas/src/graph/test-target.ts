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
 * the two merge. Any other runs vitest on the folder: the `unit` project of the workspace's vitest config
 * where its root has one, vitest's defaults where it has none (as in a workspace create-nx-workspace made).
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
  const project = hasVitestConfig(workspaceRoot) ? ' --project unit' : '';
  const noSpecs = hasUnitSpecs(join(workspaceRoot, root)) ? '' : ' --passWithNoTests';
  return {
    executor: 'nx:run-commands',
    ...common,
    // The trailing slash keeps `functions/hello` from also running `functions/hello-world`.
    options: { command: `npx vitest run${project} ${root}/${noSpecs}`, cwd: '{workspaceRoot}' },
  };
}

/** Whether the workspace's root has a vitest config or workspace file (vitest.config.mts and the like). */
function hasVitestConfig(workspaceRoot: string): boolean {
  if (!existsSync(workspaceRoot)) return false;
  return readdirSync(workspaceRoot).some((name) => VITEST_CONFIG.test(name));
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
