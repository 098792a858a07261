import { homedir } from 'node:os';
import type { ExecutorContext } from '@nx/devkit';
import { functionOutputDir, functionProjectFromContext, readStackFunction } from '../../lib/function-project';
import { buildAndPushImage, resolveImageBuild } from '../../lib/image-build';
import { runExecutor } from '../../lib/run-executor';
import type { ImageExecutorSchema } from './schema';

/** Builds the function image for its platforms and pushes it to the registry named in stack.yml. */
export default async function imageExecutor(
  options: ImageExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(async (logger) => {
    const project = functionProjectFromContext(context);
    const fn = readStackFunction(project.workspaceRoot, project.name, process.env);
    const request = resolveImageBuild(fn, {
      workspaceRoot: project.workspaceRoot,
      context: functionOutputDir(project, options.contextPath),
      platforms: parsePlatforms(options.platforms),
      extraTags: options.tags ?? [],
      ...(options.builder === undefined ? {} : { builder: options.builder }),
      homeDir: homedir(),
      env: process.env,
    });
    const result = await buildAndPushImage(request, { logger });
    const seconds = (result.durationMs / 1000).toFixed(1);
    logger.info(`✔ Pushed ${result.tags.join(', ')} for ${result.platforms.join(', ')} in ${seconds} s`);
    if (result.digest !== undefined) logger.info(`  Manifest list ${result.digest}`);
  });
}

function parsePlatforms(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(','));
  const platforms = list.map((item) => item.trim()).filter((item) => item !== '');
  return platforms.length > 0 ? platforms : undefined;
}
