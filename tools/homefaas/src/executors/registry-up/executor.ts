import { createEngine } from '@homefaas/docker-engine';
import type { ExecutorContext } from '@nx/devkit';
import { runExecutor } from '../../common/run-executor';
import { readWorkspaceConfig } from '../../common/workspace-config';
import { type ResolvedRegistrySettings, resolveRegistrySettings } from '../../registry/registry-settings';
import { ensureRegistryReady } from '../../registry/registry-setup';
import type { RegistryUpExecutorSchema } from './schema';

/** `nx run infra:registry-up`: converge CA, certificate, htpasswd, container, trust and login. */
export default async function registryUpExecutor(
  options: RegistryUpExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(async (logger) => {
    const settings = await normalizeOptions(options, context.root, process.env);
    await ensureRegistryReady(settings, { engine: createEngine({ logger }), logger });
  });
}

/** Options + homefaas.json + environment → the resolved settings every step reads. */
export async function normalizeOptions(
  options: RegistryUpExecutorSchema,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<Readonly<ResolvedRegistrySettings>> {
  const config = await readWorkspaceConfig(root);
  return resolveRegistrySettings(options, { root, config, env, interactive: true });
}
