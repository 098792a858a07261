import type { Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import { renderPublishInputs } from './publish-inputs';

/**
 * The sync generator of `publish` (Nx runs it before publish tasks; `npx nx sync` applies it, and
 * `npx nx sync:check` fails a CI run whose commit forgot it): writes each function's publish-inputs.json
 * from stack.yml, homefaas.json and the plugin, so that `nx affected -t publish` sees a change in a
 * function's own stack.yml entry as a change of that function.
 */
export default function syncPublishInputsGenerator(tree: Tree): SyncGeneratorResult {
  const changed = writePublishInputs(tree);
  if (changed.length === 0) return;
  return {
    outOfSyncMessage: `The publish inputs of ${changed.join(', ')} do not match stack.yml, homefaas.json or the homefaas plugin: run \`npx nx sync\` and commit the result.`,
  };
}

/**
 * Writes every function's publish-inputs.json whose content differs (a file a formatter re-wrapped still
 * holds the same JSON, and is left alone); returns the functions whose file changed.
 */
export function writePublishInputs(tree: Tree): string[] {
  const changed: string[] = [];
  for (const input of renderPublishInputs(tree)) {
    if (sameJson(tree.read(input.path, 'utf8'), input.text)) continue;
    tree.write(input.path, input.text);
    changed.push(input.name);
  }
  return changed;
}

function sameJson(current: string | null, next: string): boolean {
  if (current === null) return false;
  try {
    return JSON.stringify(JSON.parse(current)) === JSON.stringify(JSON.parse(next));
  } catch {
    return false;
  }
}
