import type { FunctionStatus } from '@homefaas/gateway-client';
import type { ContextFile } from '../function/content-tag';
import type { ImageBuildRequest } from '../image/image-build';
import type { ResolvedFunctionPublish } from './resolve';

/** What happened to a function's image in this run. */
export type ImageOutcome = 'built' | 'in registry' | 'would build' | 'failed' | 'not reached';
/** What happened to its deployment. */
export type DeployOutcome = 'deployed' | 'unchanged' | 'would deploy' | 'skipped' | 'failed' | 'not reached';
/** Whether it was seen with an available replica. */
export type ReadyOutcome = 'ready' | 'not confirmed' | 'would wait' | 'failed' | 'not reached' | '-';

/** One function as the steps of a run see it: its input, what each step found and did, and its error. */
export interface FunctionState {
  readonly input: ResolvedFunctionPublish;
  /** The build context, rendered in memory (undefined for a prebuilt context or when rendering failed). */
  files?: ContextFile[];
  /** How its image is built: platforms, build args and secrets, the context folder. */
  build?: ImageBuildRequest;
  /** Content tag, e.g. `c-1a2b3c4d5e6f`. */
  tag?: string;
  /** The content-tagged reference the deploy uses. */
  ref?: string;
  /** The pushed manifest's digest, once known. */
  digest?: string;
  /** What each other tag (latest, the git sha, --tags) pointed at when the image step looked: digest or none. */
  otherTags?: Map<string, string | undefined>;
  image: ImageOutcome;
  deploy: DeployOutcome;
  ready: ReadyOutcome;
  /** The function as the gateway listed it before the deploy step. */
  current?: FunctionStatus;
  /** The first error; every later step leaves the function alone. */
  error?: unknown;
  /** Every line printed about this function (its Nx task's output). */
  lines: string[];
}

/** A fresh state for each function of the run. */
export function initialStates(functions: readonly ResolvedFunctionPublish[]): FunctionState[] {
  return functions.map((input) => ({
    input,
    image: 'not reached',
    deploy: 'not reached',
    ready: 'not reached',
    lines: [],
  }));
}

/** The functions no step has failed yet. */
export function live(states: readonly FunctionState[]): FunctionState[] {
  return states.filter((state) => state.error === undefined);
}
