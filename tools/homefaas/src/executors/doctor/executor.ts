import { HomefaasError, type Logger } from '@homefaas/core';
import { createEngine } from '@homefaas/docker-engine';
import type { ExecutorContext } from '@nx/devkit';
import { runExecutor } from '../../common/run-executor';
import { readWorkspaceConfig } from '../../common/workspace-config';
import { type ResolvedRegistrySettings, resolveRegistrySettings } from '../../registry/registry-settings';
import { type CheckResult, runDoctorChecks } from './checks';
import type { DoctorExecutorSchema } from './schema';

/** `nx run infra:doctor`: one line per check, ✔ or ✖ with a hint; fails when any check fails. */
export default async function doctorExecutor(
  options: DoctorExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(async (logger) => {
    const settings = await normalizeOptions(options, context.root, process.env);
    const results = await runDoctorChecks(settings, { engine: () => createEngine({ logger }) });
    reportChecks(logger, results);
  });
}

/** Options + homefaas.json + environment → resolved settings; doctor never prompts. */
export async function normalizeOptions(
  options: DoctorExecutorSchema,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<Readonly<ResolvedRegistrySettings>> {
  const config = await readWorkspaceConfig(root);
  return resolveRegistrySettings(options, { root, config, env, interactive: false });
}

/** Prints the report; throws ERR_DOCTOR_FAILED (so the executor fails) when any check failed. */
export function reportChecks(logger: Logger, results: readonly CheckResult[]): void {
  for (const result of results) {
    logger.info(`${result.ok ? '✔' : '✖'} ${result.name}: ${result.detail}`);
    if (!result.ok && result.hint) logger.info(`  → ${result.hint}`);
  }
  const failures = results.filter((result) => !result.ok).length;
  if (failures > 0) {
    throw new HomefaasError('ERR_DOCTOR_FAILED', `${failures} of ${results.length} checks failed.`);
  }
}
