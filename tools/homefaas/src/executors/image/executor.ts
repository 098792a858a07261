import { splitList } from '@homefaas/core';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { createConsoleLogger } from '../../common/console-logger';
import { bundleStep } from '../../function/bundle-step';
import { bakeImages } from '../../image/image-step';
import { runTasks, singleTask, type TaskResults, tasksOf } from '../../publish/nx-tasks';
import { live } from '../../publish/outcome';
import { publishRun } from '../../publish/run-publish';
import type { Step } from '../../publish/steps';
import type { ImageExecutorSchema } from './schema';

/** `nx run <fn>:image` when Nx does not batch: a batch of one. */
export default async function imageExecutor(
  options: ImageExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const task = singleTask(options, context);
  const results = await buildImages([task], [options], context.root);
  return { success: results[task.id]?.success ?? false };
}

/**
 * Every `image` task of an Nx run in one process: each function bundled, then every image built for its
 * platforms and pushed (stack.yml's reference and `--tags`) in one `docker buildx bake` run.
 */
export async function imageBatchExecutor(
  taskGraph: TaskGraph,
  inputs: Record<string, ImageExecutorSchema>,
  _overrides: ImageExecutorSchema,
  context: ExecutorContext,
): Promise<TaskResults> {
  const tasks = tasksOf(taskGraph, inputs, context);
  return buildImages(
    tasks,
    tasks.map((task) => inputs[task.id] ?? {}),
    context.root,
  );
}

function buildImages(
  tasks: ReturnType<typeof tasksOf>,
  options: readonly ImageExecutorSchema[],
  root: string,
): Promise<TaskResults> {
  const logger = createConsoleLogger();
  const byTask = new Map(tasks.map((task, i) => [task.id, options[i] ?? {}]));
  // Only what the image needs: the build context and its platforms (stack.yml's tag stays the one pushed).
  const imageTasks = tasks.map((task) => ({
    ...task,
    options: {
      ...(task.options.platforms === undefined ? {} : { platforms: task.options.platforms }),
      ...(task.options.contextPath === undefined ? {} : { contextPath: task.options.contextPath }),
    },
  }));
  const pushStep: Step<undefined> = {
    name: 'image',
    plan: async (context) => ({ lines: [], work: live(context.states).length > 0, data: undefined }),
    apply: async (context) => {
      const first = byTask.get(context.states[0]?.input.taskId ?? '');
      await bakeImages(context, context.states, {
        tags: (state) => [state.input.fn.image, ...splitList(byTask.get(state.input.taskId)?.tags)],
        pushed: async () => undefined,
        ...(first?.builder === undefined ? {} : { builder: first.builder }),
      });
    },
  };
  return runTasks(imageTasks, root, logger, (run) =>
    publishRun(run, { logger }, { verb: 'Building', shared: [], functions: [bundleStep, pushStep] }),
  );
}
