import { relative } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { runExecutor } from '../../common/run-executor';
import { bundleFunction, stopBundler } from '../../function/function-bundle';
import {
  functionOutputDir,
  functionProjectFromContext,
  resolveFunctionBundle,
} from '../../function/function-project';
import type { BuildExecutorSchema } from './schema';

/** Bundles the function into its Docker build context (dist/functions/<name>). */
export default async function buildExecutor(
  options: BuildExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(async (logger) => {
    const project = functionProjectFromContext(context);
    const resolved = resolveFunctionBundle(project, options);
    const outputDir = functionOutputDir(project, options.outputPath);
    const started = performance.now();
    const result = await bundleFunction(resolved, outputDir, logger).finally(stopBundler);
    const elapsed = Math.round(performance.now() - started);
    logger.info(
      `✔ Built ${project.name} into ${relative(project.workspaceRoot, outputDir)} (${result.files.join(', ')}) in ${elapsed} ms`,
    );
    if (result.external.length > 0) {
      logger.info(`  External, installed in the image for each platform: ${result.external.join(', ')}`);
    }
  });
}
