import { relative } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import { resolveImageBuild } from '../image/image-build';
import { formatImageName } from '../image/image-name';
import type { PublishContext } from '../publish/context';
import { type FunctionState, live } from '../publish/outcome';
import { stalePublishInputs } from '../publish/publish-inputs';
import { type PlanLine, perFunction, type Step } from '../publish/steps';
import {
  type ContextFile,
  contentTagOf,
  readContextFiles,
  resolveBaseImages,
  sameContextFiles,
} from './content-tag';
import { BUNDLE_FILE, renderFunctionBundle, writeFunctionBundle } from './function-bundle';

/** esbuild runs on every core; a few bundles at once keep them busy without crowding the machine. */
const BUNDLES_AT_ONCE = 8;

/**
 * Each function's build context: bundled in memory (handler, runtime and every workspace lib it imports),
 * its content tag computed from those bytes, the Dockerfile's base image, the platforms and the build args;
 * written to dist/functions/<name> only when it differs. A `--contextPath` context is used as it is.
 */
export const bundleStep: Step<FunctionState[]> = {
  name: 'bundle',
  async plan(context) {
    const lines: PlanLine[] = [];
    const toWrite: FunctionState[] = [];
    warnStalePublishInputs(context);
    await perFunction(context, live(context.states), 'bundle', BUNDLES_AT_ONCE, async (state) => {
      const { input } = state;
      const shown = relative(context.run.root, input.contextDir);
      const files = input.bundle
        ? (await renderFunctionBundle(input.bundle, functionLogger(context, state))).files
        : await readContextFiles(input.contextDir);
      if (files.length === 0) {
        throw new HomefaasError('ERR_BUILD_CONTEXT_EMPTY', `The build context ${shown} has no files.`, {
          hint: `Build it there first, or leave out --contextPath so publish bundles ${input.name} itself.`,
        });
      }
      setImage(context, state, files);
      const current = input.bundle ? await readContextFiles(input.contextDir) : files;
      const same = sameContextFiles(current, files);
      if (!same) toWrite.push(state);
      const what = files.map((file) => file.path).join(', ');
      lines.push({
        state,
        result: same
          ? { name: 'bundle', changed: false, detail: `${shown} (${what}) → ${state.tag}` }
          : { name: 'bundle', changed: true, detail: `would write ${shown} (${what}) → ${state.tag}` },
      });
    });
    return { lines, work: toWrite.length > 0, data: toWrite };
  },
  async apply(context, toWrite) {
    await perFunction(context, live(toWrite), 'bundle', BUNDLES_AT_ONCE, async (state) => {
      await writeFunctionBundle(state.input.contextDir, state.files ?? []);
      const shown = relative(context.run.root, state.input.contextDir);
      context.report({ name: 'bundle', changed: true, detail: `wrote ${shown} → ${state.tag}` }, state);
    });
  },
};

/** A function whose committed publish-inputs.json is out of date publishes, with a warning: `nx affected` misses it. */
function warnStalePublishInputs(context: PublishContext): void {
  const states = live(context.states);
  const stale = stalePublishInputs(
    context.run.root,
    states.map((state) => state.input.name),
  );
  for (const input of stale) {
    context.warn(
      `${input.path} does not match stack.yml, homefaas.json or the homefaas plugin: run \`npx nx sync\` and commit it, or \`nx affected\` will not see this change.`,
      states.find((state) => state.input.name === input.name),
    );
  }
}

/** Sets the build request, content tag and content-tagged reference of a function from its context files. */
function setImage(context: PublishContext, state: FunctionState, files: ContextFile[]): void {
  const { input } = state;
  const build = resolveImageBuild(input.fn, {
    workspaceRoot: context.run.root,
    context: input.contextDir,
    ...(input.platforms ? { platforms: input.platforms } : {}),
    homeDir: context.run.homeDir,
    env: context.run.env,
    installs: files.some((file) => file.path === 'package.json'),
    prebuilt: files.some((file) => file.path === BUNDLE_FILE),
  });
  const dockerfile = files.find((file) => file.path === 'Dockerfile');
  if (dockerfile === undefined) {
    throw new HomefaasError('ERR_IMAGE_CONTEXT', `The build context of ${input.name} has no Dockerfile.`, {
      hint: "Check the function's `lang`: it names a folder under template/ with a Dockerfile.",
    });
  }
  const { tag } = contentTagOf(files, {
    baseImages: resolveBaseImages(Buffer.from(dockerfile.contents).toString('utf8'), build.buildArgs),
    platforms: build.platforms,
    buildArgs: build.buildArgs,
  });
  const ref = formatImageName(input.image, tag);
  state.files = files;
  state.tag = tag;
  state.ref = ref;
  state.build = build;
}

/** esbuild's warnings about one function, in that function's output. */
function functionLogger(context: PublishContext, state: FunctionState) {
  return {
    info: (message: string) => context.logger.info(`[${state.input.name}] ${message}`),
    warn: (message: string) => context.warn(message, state),
    progress: (message: string) => context.logger.progress(`[${state.input.name}] ${message}`),
  };
}
