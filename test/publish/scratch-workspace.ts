import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type CommandResult, runCommand } from '@homefaas/docker-engine';

/** The repository this file belongs to. */
export const REPO_ROOT = resolve(__dirname, '../..');

/** A throwaway copy of the workspace with its own CA, registry settings and Docker config. */
export interface ScratchWorkspace {
  root: string;
  /** Docker CLI config of this workspace (logins, buildx state). */
  dockerConfig: string;
  /**
   * Runs `npx nx ...` in the copy with `env` added to the environment; never throws on a failure. The output
   * is returned exactly as printed (nothing masked), so tests can check that no secret was printed.
   */
  nx(args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult & { ms: number }>;
  remove(): Promise<void>;
}

/** Input of {@link createScratchWorkspace}. */
export interface ScratchOptions {
  /** homefaas.json written into the copy. */
  homefaasJson: object;
}

/**
 * Copies the workspace's source files (what git would commit, without the CA, certificates or registry
 * files) into a temporary folder that shares this repository's node_modules, so `npx nx run` works there
 * exactly as in a fresh clone.
 */
export async function createScratchWorkspace(options: ScratchOptions): Promise<ScratchWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'homefaas-scratch-'));
  const listed = await runCommand('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
  });
  const files = listed.stdout
    .split('\n')
    .filter(
      (file) =>
        file !== '' &&
        !/^(infra\/(ca|certs|registry|buildkit|openfaas)\/|dist\/|\.homefaas\/|homefaas\.json$)/.test(file),
    );
  for (const file of files) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await cp(join(REPO_ROOT, file), join(root, file)).catch((error: NodeJS.ErrnoException) => {
      // A file another change removed after git listed it.
      if (error.code !== 'ENOENT') throw error;
    });
  }
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  await writeFile(join(root, 'homefaas.json'), `${JSON.stringify(options.homefaasJson, null, 2)}\n`);
  const dockerConfig = join(root, '.docker-config');
  await mkdir(dockerConfig, { recursive: true });
  return {
    root,
    dockerConfig,
    async nx(args, env = {}) {
      const started = performance.now();
      const result = await runCommand('npx', ['nx', ...args], {
        cwd: root,
        env: {
          ...process.env,
          DOCKER_CONFIG: dockerConfig,
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          NX_TUI: 'false',
          FORCE_COLOR: '0',
          ...env,
        },
      });
      return { ...result, ms: Math.round(performance.now() - started) };
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
