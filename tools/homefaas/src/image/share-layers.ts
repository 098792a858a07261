import type { RegistryClient } from '@homefaas/registry-client';
import type { PublishContext } from '../publish/context';
import type { FunctionState } from '../publish/outcome';
import { forEachLimit, REGISTRY_REQUESTS_AT_ONCE } from '../publish/steps';

/**
 * Links the layers of `donor`'s image (every platform) into the repository of each of `targets`, through the
 * registry's cross-repository mount: they share the base image, and BuildKit, pushing many images at once,
 * would otherwise upload its layers again into every new repository. Only a speed-up: a mount the registry
 * refuses is skipped, and the push uploads what is missing.
 */
export async function shareLayers(
  context: PublishContext,
  donor: FunctionState,
  targets: readonly FunctionState[],
): Promise<void> {
  const repositories = [...new Set(targets.map((state) => state.input.image.repository))].filter(
    (repository) => repository !== donor.input.image.repository,
  );
  if (repositories.length === 0 || donor.tag === undefined) return;
  const client = await context.registry();
  const from = donor.input.image.repository;
  const layers = await imageLayers(client, from, donor.tag);
  const mounts = repositories.flatMap((repository) => layers.map((layer) => ({ repository, layer })));
  let mounted = 0;
  await forEachLimit(mounts, REGISTRY_REQUESTS_AT_ONCE, async ({ repository, layer }) => {
    if (await client.mountBlob(repository, layer, from).catch(() => false)) mounted++;
  });
  context.logger.info(
    `Mounted the ${layers.length} layers of ${donor.ref} into ${repositories.length} repositories (${mounted} of ${mounts.length} mounts): their pushes upload only what is their own`,
  );
}

/** The layer digests of an image: of each platform's manifest when `reference` names a manifest list. */
async function imageLayers(client: RegistryClient, repository: string, reference: string): Promise<string[]> {
  const top = await client.getManifest(repository, reference);
  const entries = (top.manifest as { manifests?: Array<{ digest: string }> }).manifests;
  const manifests = entries
    ? await Promise.all(entries.map((entry) => client.getManifest(repository, entry.digest)))
    : [top];
  const layers = manifests.flatMap(
    (manifest) =>
      (manifest.manifest as { layers?: Array<{ digest: string }> }).layers?.map((l) => l.digest) ?? [],
  );
  return [...new Set(layers)];
}
