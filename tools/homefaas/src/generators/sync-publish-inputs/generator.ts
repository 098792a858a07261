import type { Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import { writePublishInputs } from '../../publish/publish-inputs';

/**
 * The workspace's global sync generator (nx.json `sync.globalGenerators`, which `init` registers): `npx nx sync`
 * writes each function's publish-inputs.json from stack.yml, homefaas.json and the plugin, and
 * `npx nx sync:check` fails a CI run whose commit forgot it, so that `nx affected -t publish` sees a change in
 * a function's own stack.yml entry as a change of that function.
 */
export default function syncPublishInputsGenerator(tree: Tree): SyncGeneratorResult {
  const changed = writePublishInputs(tree);
  if (changed.length === 0) return;
  return {
    outOfSyncMessage: `The publish inputs of ${changed.join(', ')} do not match stack.yml, homefaas.json or the homefaas plugin: run \`npx nx sync\` and commit the result.`,
  };
}
