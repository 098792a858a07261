import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProjectConfiguration, Tree } from '@nx/devkit';
import { inferProjects } from '../graph/create-nodes';

/** Writes `files` (workspace-relative path → text) under a new temporary folder; `remove` deletes it. */
export async function writeWorkspace(
  files: Record<string, string>,
): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'homefaas-graph-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** The projects the plugin infers from stack.yml and `libs` (package.json paths) at `root`, by name. */
export function projectsAt(root: string, libs: readonly string[] = []): Record<string, ProjectConfiguration> {
  const byName: Record<string, ProjectConfiguration> = {};
  for (const [, result] of inferProjects(['stack.yml', ...libs], root)) {
    for (const [projectRoot, project] of Object.entries(result.projects ?? {})) {
      byName[project.name ?? projectRoot] = { ...project, root: project.root ?? projectRoot };
    }
  }
  return byName;
}

/** What the plugin infers from a generator's tree once its files are on disk, by project name. */
export async function projectsOfTree(tree: Tree): Promise<Record<string, ProjectConfiguration>> {
  const files: Record<string, string> = {};
  for (const change of tree.listChanges()) {
    if (change.type !== 'DELETE' && change.content !== null) files[change.path] = change.content.toString();
  }
  const workspace = await writeWorkspace(files);
  try {
    return projectsAt(workspace.root);
  } finally {
    await workspace.remove();
  }
}
