import { builderTrustStep } from '../builder-trust/builder-trust-step';
import { caStep } from '../ca/ca-step';
import { deployStep } from '../deploy/deploy-step';
import { readyStep } from '../deploy/ready-step';
import { bundleStep } from '../function/bundle-step';
import { imageStep } from '../image/image-step';
import { tagsStep } from '../image/tags-step';
import { registryStep } from '../registry/registry-step';
import { createPublishContext, type PublishContext, type PublishDeps } from './context';
import type { FunctionState } from './outcome';
import { withLock } from './publish-lock';
import type { ResolvedRun } from './resolve';
import { runSteps, type Step } from './steps';
import { formatSummary } from './summary';

/** What publish does once per run, before any function: the CA, the registry, the builder's trust. */
export const SHARED_STEPS: readonly Step[] = [caStep, registryStep, builderTrustStep] as Step[];

/** What publish does for each function once the shared steps are done, in order. */
export const FUNCTION_STEPS: readonly Step[] = [
  bundleStep,
  imageStep,
  tagsStep,
  deployStep,
  readyStep,
] as Step[];

/** The steps of a run: `publish` runs them all; `image` only bundles, builds and pushes. */
export interface RunSteps {
  /** How the run introduces itself: `Publishing hello-world`. */
  verb: string;
  shared: readonly Step[];
  functions: readonly Step[];
}

/** A finished run: every function's state, and the lines about the run as a whole. */
export interface PublishRunResult {
  states: FunctionState[];
  sharedLines: string[];
}

/**
 * Publishes the functions of one run: the shared steps once (CA, registry, builder trust), then the
 * function steps for all of them together. A failure of a shared step fails every function; a failure of
 * one function's build, push or deploy fails that function only. Ends with the summary table. A real run
 * holds each function's lock (`publish-<name>`), and the shared steps hold `ensure`, so concurrent runs on
 * this workspace take turns; a dry run only reads and takes no lock.
 */
export async function publishRun(
  run: Readonly<ResolvedRun>,
  deps: PublishDeps,
  steps: RunSteps = { verb: 'Publishing', shared: SHARED_STEPS, functions: FUNCTION_STEPS },
): Promise<PublishRunResult> {
  const context = createPublishContext(run, deps);
  const { logger } = deps;
  const names = run.functions.map((fn) => fn.name);
  try {
    if (run.dryRun) {
      logger.info(`Plan for ${names.join(', ')} (dry run: nothing is changed)`);
      await runSteps(context, steps.shared);
      await runSteps(context, steps.functions);
    } else {
      logger.info(
        `${steps.verb} ${names.join(', ')}${run.mode.runner ? ` as a runner (${run.mode.reason})` : ''}`,
      );
      await withLocks(context, names.map((name) => `publish-${name}`).sort(), async () => {
        await withLocks(context, ['ensure'], () => runSteps(context, steps.shared));
        await runSteps(context, steps.functions);
      });
    }
  } catch (error) {
    context.failAll(error);
  } finally {
    await context.close();
  }
  for (const line of formatSummary(context.states, run.dryRun)) logger.info(line);
  return { states: context.states, sharedLines: context.sharedLines };
}

/** Holds every lock of `names` (taken in the given order, so two runs never wait for each other in a cycle). */
async function withLocks<T>(
  context: PublishContext,
  names: readonly string[],
  body: () => Promise<T>,
): Promise<T> {
  const [first, ...rest] = names;
  if (first === undefined) return body();
  return withLock(context.run.root, first, () => withLocks(context, rest, body), { logger: context.logger });
}
