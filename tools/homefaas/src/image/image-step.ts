import { HomefaasError } from '@homefaas/core';
import type { ManifestHead } from '@homefaas/registry-client';
import type { PublishContext } from '../publish/context';
import { type FunctionState, live } from '../publish/outcome';
import { type PlanLine, perFunction, REGISTRY_REQUESTS_AT_ONCE, type Step } from '../publish/steps';
import { type BakeTarget, bake } from './bake';
import { buildErrorHint } from './image-build';
import { formatImageName } from './image-name';
import { shareLayers } from './share-layers';

/**
 * The images: each function's content tag is looked up in the registry (in parallel); every missing image
 * is built and pushed in one `docker buildx bake` run, after the base image's layers are mounted into the
 * new repositories from one that has them (on a registry with none of them yet, the first image is built
 * alone to upload them once). An image outside the workspace registry cannot be looked up: it is always
 * built, and pushed with its other tags too.
 */
export const imageStep: Step<FunctionState[]> = {
  name: 'image',
  async plan(context) {
    const lines: PlanLine[] = [];
    const missing: FunctionState[] = [];
    await perFunction(context, live(context.states), 'image', REGISTRY_REQUESTS_AT_ONCE, async (state) => {
      const { input } = state;
      const platforms = state.build?.platforms.join(', ') ?? '';
      if (!input.inWorkspaceRegistry) {
        missing.push(state);
        state.image = 'would build';
        const detail = `${state.ref}: ${input.image.registry} is not the workspace registry, so it is not looked up: would build for ${platforms} and push it`;
        lines.push({ state, result: { name: 'image', changed: true, detail } });
        return;
      }
      // The other tags are looked up at the same time: the tags step then needs no request of its own.
      const others = input.extraTags.filter((tag) => tag !== state.tag);
      const [head, ...heads] = await Promise.all(
        [state.tag ?? '', ...others].map((tag) => lookUp(context, state, tag)),
      );
      state.otherTags = new Map(others.map((tag, i) => [tag, heads[i]?.digest]));
      if (head) {
        state.image = 'in registry';
        state.digest = head.digest;
        const detail = `${state.ref} is in the registry: build and push skipped`;
        lines.push({ state, result: { name: 'image', changed: false, detail } });
        return;
      }
      missing.push(state);
      state.image = 'would build';
      lines.push({
        state,
        result: {
          name: 'image',
          changed: true,
          detail: `${state.ref} is not in the registry: would build for ${platforms}`,
        },
      });
    });
    return { lines, work: missing.length > 0, data: missing };
  },
  async apply(context, missing) {
    const options: BakeImagesOptions = {
      tags: (state) => [state.ref ?? '', ...otherTagsPushedByBake(state)],
      pushed: async (state) =>
        state.input.inWorkspaceRegistry ? lookUp(context, state, state.tag ?? '') : undefined,
    };
    let rest = live(missing);
    const local = rest.filter((state) => state.input.inWorkspaceRegistry);
    // An image of this run already in the registry lends its base layers to the new repositories. When
    // there is none, the first new image is built alone, so that the base is uploaded once, not into every
    // repository by pushes running side by side.
    let donor = context.states.find(
      (state) => state.image === 'in registry' && state.input.inWorkspaceRegistry,
    );
    if (donor === undefined && local.length >= BUILD_ONE_FIRST_FROM) {
      const first = local[0] as FunctionState;
      await bakeImages(context, [first], options);
      rest = rest.filter((state) => state !== first);
      if (first.image === 'built') donor = first;
    }
    if (donor !== undefined)
      await shareLayers(
        context,
        donor,
        local.filter((state) => state !== donor),
      );
    await bakeImages(context, rest, options);
  },
};

/**
 * From this many new images on a registry that has none of this run's, the first is built alone: below it,
 * uploading the base again costs less than a second bake run.
 */
const BUILD_ONE_FIRST_FROM = 4;

/** How {@link bakeImages} names each image, and how it asks whether a push went through after all. */
export interface BakeImagesOptions {
  tags: (state: FunctionState) => string[];
  /** What the registry holds for the image now; `undefined` when it cannot be asked or has nothing. */
  pushed: (state: FunctionState) => Promise<ManifestHead | undefined>;
  /** A buildx builder other than the workspace's. */
  builder?: string;
}

/**
 * Builds and pushes the images of `states` in one `docker buildx bake` run. buildx cancels every target when
 * one fails, so after a failed run each image is asked for in the registry: one that is there was pushed;
 * a target whose own steps failed fails its function; the others, cancelled, are baked again in the next
 * round. A failure that names no target fails every function whose image is not in the registry. When the
 * registry answered 5xx during the push (a fault on its side), every image it has not got is baked once more,
 * once per run.
 */
export async function bakeImages(
  context: PublishContext,
  states: readonly FunctionState[],
  options: BakeImagesOptions,
): Promise<void> {
  let remaining = live(states);
  // A clear "the daemon does not answer" before buildx's own version of it.
  if (remaining.length > 0) await context.engine().ping();
  const started = performance.now();
  const builder =
    options.builder ??
    (context.run.builder.driver === 'docker-container' ? context.run.builder.name : undefined);
  // A registry that answers 5xx during the push is given one more round, once per run.
  let serverErrorRounds = 1;
  // Each round either finishes, drops at least one failed target or uses up that one round, so this ends.
  while (remaining.length > 0) {
    const names = remaining.map((state) => state.input.name);
    context.logger.info(`Building ${names.length} image(s) in one buildx bake run: ${names.join(', ')}`);
    const result = await bake(
      remaining.map((state) => bakeTarget(state, options.tags(state))),
      { ...(builder === undefined ? {} : { builder }), env: context.run.env, logger: context.logger },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const serverError = serverErrorRounds > 0 ? result.error?.registryServerError : undefined;
    const next: FunctionState[] = [];
    await perFunction(context, remaining, 'image', REGISTRY_REQUESTS_AT_ONCE, async (state) => {
      const name = state.input.name;
      const own = result.failed.get(name);
      // The registry decides: buildx may fail after a push went through (its second push through the
      // daemon, say), or cancel a target before it pushed.
      const head = result.error === undefined ? undefined : await options.pushed(state);
      if (result.error !== undefined && head === undefined) {
        if (serverError === undefined && (own !== undefined || result.failed.size === 0)) {
          state.image = 'failed';
          throw buildFailed(state, own ?? result.error.tail, result.error.command);
        }
        next.push(state);
        return;
      }
      if (own !== undefined) {
        context.warn(
          `buildx reported an error after ${options.tags(state)[0]} was pushed, which the registry has: ${own}`,
          state,
        );
      }
      state.image = 'built';
      const digest = head?.digest ?? result.digests.get(name);
      if (digest) state.digest = digest;
      const detail = `${options.tags(state)[0]} built for ${state.build?.platforms.join(', ')} and pushed (bake of ${names.length} in ${seconds} s)`;
      context.report({ name: 'image', changed: true, detail }, state);
    });
    remaining = next;
    if (remaining.length > 0 && serverError !== undefined) {
      serverErrorRounds -= 1;
      context.logger.info(
        `The registry answered ${serverError} during the push, a fault on its side: building once more what it has not got: ${remaining.map((s) => s.input.name).join(', ')}`,
      );
    } else if (remaining.length > 0) {
      context.logger.info(
        `Building again what buildx cancelled: ${remaining.map((s) => s.input.name).join(', ')}`,
      );
    }
  }
}

/**
 * Tags besides the content tag that bake itself pushes: none for the workspace registry (they are set
 * through the registry afterwards, with the same manifest bytes); all of them for an image elsewhere.
 */
function otherTagsPushedByBake(state: FunctionState): string[] {
  const { input } = state;
  if (input.inWorkspaceRegistry) return [];
  return input.extraTags.filter((tag) => tag !== state.tag).map((tag) => formatImageName(input.image, tag));
}

function bakeTarget(state: FunctionState, tags: string[]): BakeTarget {
  if (state.build === undefined) {
    throw new HomefaasError('ERR_IMAGE_CONTEXT', `No build context for ${state.input.name}.`);
  }
  return { name: state.input.name, request: state.build, tags };
}

async function lookUp(
  context: PublishContext,
  state: FunctionState,
  tag: string,
): Promise<ManifestHead | undefined> {
  return (await context.registry()).headManifest(state.input.image.repository, tag);
}

function buildFailed(state: FunctionState, detail: string, command: string | undefined): HomefaasError {
  const known = buildErrorHint(detail, state.ref ?? state.input.fn.image);
  return new HomefaasError(
    'ERR_IMAGE_BUILD',
    `The image of ${state.input.name} was not built: ${detail.trim() || 'buildx failed'}${command ? `\nCommand: ${command}` : ''}`,
    {
      hint: `${known ?? `Read buildx's output above (the lines of target ${state.input.name}) and fix the cause.`} Publish again: images already pushed are not built again.`,
    },
  );
}
