import { isHomefaasError, type Logger } from '@homefaas/core';
import { type ExecutorContext, readTargetOptions } from '@nx/devkit';
import { runExecutor } from '../../common/run-executor';
import {
  type FunctionProject,
  type FunctionSourceOptions,
  functionProjectFromContext,
  readStackFunction,
  resolveFunctionBundle,
} from '../../function/function-project';
import { startFunctionServer } from '../../function/function-server';
import type { ServeExecutorSchema } from './schema';

/** Runs the function on the host and restarts it on change, until Ctrl-C. */
export default async function serveExecutor(
  options: ServeExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(async (logger) => {
    const project = functionProjectFromContext(context);
    const source = buildOptions(project, options.buildTarget ?? 'build', context);
    const server = await startFunctionServer(
      {
        bundle: resolveFunctionBundle(project, source),
        port: options.port ?? 8080,
        environment: stackEnvironment(project, logger),
        baseEnv: process.env,
      },
      { logger },
    );
    logger.info(`✔ Serving ${project.name} at ${server.url} (restarts on change; Ctrl-C stops)`);
    await stopSignal();
    await server.stop();
  });
}

function buildOptions(
  project: FunctionProject,
  target: string,
  context: ExecutorContext,
): FunctionSourceOptions {
  const targets = context.projectsConfigurations.projects[project.name]?.targets ?? {};
  if (targets[target] === undefined) return {};
  const { handler, lang, external } = readTargetOptions<FunctionSourceOptions>(
    { project: project.name, target },
    context,
  );
  return { handler, lang, external };
}

/** The function's stack.yml environment; a function not in stack.yml yet still serves, without it. */
function stackEnvironment(project: FunctionProject, logger: Logger): Record<string, string> {
  try {
    return readStackFunction(project.workspaceRoot, project.name, process.env).environment;
  } catch (error) {
    if (
      isHomefaasError(error, 'ERR_STACK_FUNCTION_NOT_FOUND') ||
      isHomefaasError(error, 'ERR_STACK_MISSING')
    ) {
      logger.warn(`${error.message}; serving without its environment.`);
      return {};
    }
    throw error;
  }
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
