import type { PublishContext } from '../publish/context';
import { type FunctionState, live } from '../publish/outcome';
import { type PlanLine, perFunction, REGISTRY_REQUESTS_AT_ONCE, type Step } from '../publish/steps';

/** The tags of one function that do not point at its content-tagged manifest yet. */
interface StaleTags {
  state: FunctionState;
  tags: string[];
}

/**
 * The other tags of each image (stack.yml's, usually `latest`; the git short sha; `--tags`) point at the
 * content-tagged manifest: the manifest's own bytes are stored under each tag that points elsewhere, so every
 * tag has exactly the content tag's digest. The git sha is left out when the work tree has changes.
 */
export const tagsStep: Step<StaleTags[]> = {
  name: 'tags',
  async plan(context) {
    const lines: PlanLine[] = [];
    const stale: StaleTags[] = [];
    if (context.run.git.dirty && context.run.git.sha) {
      context.warn(
        `The work tree differs from commit ${context.run.git.sha}: images are not tagged with it.`,
      );
    }
    for (const state of live(context.states).filter((state) => state.input.inWorkspaceRegistry)) {
      const others = [...(state.otherTags?.keys() ?? [])];
      if (others.length === 0) continue;
      // A tag points at the image when it holds the content tag's digest (looked up by the image step).
      const moving = others.filter(
        (tag) => state.digest === undefined || state.otherTags?.get(tag) !== state.digest,
      );
      if (moving.length === 0) {
        lines.push({
          state,
          result: { name: 'tags', changed: false, detail: `${others.join(', ')} → ${state.tag}` },
        });
        continue;
      }
      stale.push({ state, tags: moving });
      lines.push({
        state,
        result: { name: 'tags', changed: true, detail: `would point ${moving.join(', ')} at ${state.tag}` },
      });
    }
    return { lines, work: stale.length > 0, data: stale };
  },
  async apply(context, stale) {
    const tagsOf = new Map(stale.map(({ state, tags }) => [state, tags]));
    await perFunction(context, live([...tagsOf.keys()]), 'tags', REGISTRY_REQUESTS_AT_ONCE, async (state) => {
      const moved = await pointTags(context, state, tagsOf.get(state) ?? []);
      context.report(
        { name: 'tags', changed: true, detail: `pointed ${moved.join(', ')} at ${state.tag}` },
        state,
      );
    });
  },
};

/** Stores the content-tagged manifest's bytes under each of `tags`. */
async function pointTags(
  context: PublishContext,
  state: FunctionState,
  tags: readonly string[],
): Promise<string[]> {
  const client = await context.registry();
  const repository = state.input.image.repository;
  const manifest = await client.getManifest(repository, state.tag ?? '');
  state.digest = manifest.digest;
  for (const tag of tags) await client.putManifest(repository, tag, manifest.raw, manifest.mediaType);
  return [...tags];
}
