import { join } from 'node:path';
import type { Logger } from '@homefaas/core';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { stopBundler } from '../function/function-bundle';
import type { FunctionSourceOptions } from '../function/function-project';
import { errorLines } from './context';
import type { PublishOptions } from './options';
import type { FunctionState } from './outcome';
import { type PublishTask, type ResolvedRun, resolveRun, runKey } from './resolve';
import type { PublishRunResult } from './run-publish';

/** Each task's result, as an Nx batch executor returns them (`BatchExecutorResult`). */
export type TaskResults = Record<string, { success: boolean; terminalOutput: string }>;

/** The tasks of an Nx batch (or the one task of a plain run), with each function's build options. */
export function tasksOf(
  taskGraph: TaskGraph,
  inputs: Record<string, PublishOptions>,
  context: ExecutorContext,
): PublishTask[] {
  return Object.values(taskGraph.tasks).map((task) =>
    taskFor(task.id, task.target.project, inputs[task.id] ?? {}, context),
  );
}

/** The task of a plain (unbatched) run of the executor. */
export function singleTask(options: PublishOptions, context: ExecutorContext): PublishTask {
  const name = context.projectName ?? '';
  return taskFor(`${name}:${context.targetName ?? 'publish'}`, name, options, context);
}

function taskFor(id: string, name: string, options: PublishOptions, context: ExecutorContext): PublishTask {
  const project = context.projectsConfigurations.projects[name];
  return {
    id,
    name,
    projectDir: join(context.root, project?.root ?? join('functions', name)),
    options,
    buildOptions: (project?.targets?.build?.options ?? {}) as FunctionSourceOptions,
  };
}

/**
 * Runs the tasks as few runs as possible (tasks that differ in run-level options, such as `--dryRun`, run
 * separately) and gives every task its own result: success, and the lines about it. Ends the bundler's
 * service at the end.
 */
export async function runTasks(
  tasks: readonly PublishTask[],
  root: string,
  logger: Logger,
  run: (resolved: Readonly<ResolvedRun>) => Promise<PublishRunResult>,
): Promise<TaskResults> {
  try {
    return await runGroups(tasks, root, logger, run);
  } finally {
    await stopBundler();
  }
}

async function runGroups(
  tasks: readonly PublishTask[],
  root: string,
  logger: Logger,
  run: (resolved: Readonly<ResolvedRun>) => Promise<PublishRunResult>,
): Promise<TaskResults> {
  const results: TaskResults = {};
  const groups = new Map<string, PublishTask[]>();
  for (const task of tasks)
    groups.set(runKey(task.options), [...(groups.get(runKey(task.options)) ?? []), task]);
  for (const group of groups.values()) {
    let resolved: Readonly<ResolvedRun>;
    try {
      resolved = await resolveRun(root, group, process.env);
    } catch (error) {
      const lines = report(logger, '', error);
      for (const task of group) results[task.id] = { success: false, terminalOutput: lines.join('\n') };
      continue;
    }
    for (const { task, error } of resolved.rejected) {
      const lines = report(logger, `[${task.name}] `, error);
      results[task.id] = { success: false, terminalOutput: lines.join('\n') };
    }
    if (resolved.functions.length === 0) continue;
    // stack.yml fields faas-cli no longer reads: said once each, never fatal.
    const warnings = new Set(
      resolved.functions
        .flatMap((fn) => fn.fn.warnings ?? [])
        .map((w) => `stack.yml ${w.path}: ${w.message}`),
    );
    for (const warning of warnings) logger.warn(warning);
    const { states, sharedLines } = await run(resolved);
    for (const state of states) {
      results[state.input.taskId] = {
        success: state.error === undefined,
        terminalOutput: [...sharedLines, ...state.lines, summaryRow(state)].join('\n'),
      };
    }
  }
  return results;
}

function summaryRow(state: FunctionState): string {
  return `${state.input.name}: tag ${state.tag ?? '-'}, image ${state.image}, deploy ${state.deploy}, ready ${state.ready}`;
}

/** Prints `✖ message` and `→ hint`, and returns them. */
function report(logger: Logger, prefix: string, error: unknown): string[] {
  const lines = errorLines(prefix, error);
  for (const line of lines) logger.info(line);
  return lines;
}
