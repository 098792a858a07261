import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { createConsoleLogger } from '../../common/console-logger';
import { runTasks, singleTask, type TaskResults, tasksOf } from '../../publish/nx-tasks';
import { publishRun } from '../../publish/run-publish';
import type { PublishExecutorSchema } from './schema';

/**
 * `nx run <fn>:publish` when Nx does not batch: a batch of one, on the same path as
 * {@link publishBatchExecutor}.
 */
export default async function publishExecutor(
  options: PublishExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const task = singleTask(options, context);
  const results = await publish([task], context.root);
  return { success: results[task.id]?.success ?? false };
}

/**
 * Every `publish` task of an Nx run in one process (`nx affected -t publish`, `nx run-many -t publish`): the
 * shared steps once, every missing image in one `docker buildx bake` run, one listing of the gateway, then
 * each function's own result for its own task.
 */
export async function publishBatchExecutor(
  taskGraph: TaskGraph,
  inputs: Record<string, PublishExecutorSchema>,
  _overrides: PublishExecutorSchema,
  context: ExecutorContext,
): Promise<TaskResults> {
  return publish(tasksOf(taskGraph, inputs, context), context.root);
}

function publish(tasks: Parameters<typeof runTasks>[0], root: string): Promise<TaskResults> {
  const logger = createConsoleLogger();
  return runTasks(tasks, root, logger, (run) => publishRun(run, { logger }));
}
