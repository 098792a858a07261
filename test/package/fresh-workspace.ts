import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '@homefaas/docker-engine';
import { nxRunner, REPO_ROOT } from '../publish/scratch-workspace';

/** The package folder the plugin's build writes. */
export const PLUGIN_DIST = join(REPO_ROOT, 'tools/homefaas/dist');

/**
 * The create-nx-workspace that makes the fresh workspace. The npm registry this runs against has no
 * create-nx-workspace (nor @nx/workspace or @nx/js) at this repository's Nx version: the newest of the 23 line
 * it holds is 23.2.1. The workspace is made with that, then its `nx` is raised to the repository's version
 * ({@link repositoryNxVersion}), the one the plugin is built and tested with.
 */
export const CREATE_NX_WORKSPACE_VERSION = '23.2.1';

/** The Nx version this repository runs (its installed nx). */
export async function repositoryNxVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'node_modules/nx/package.json'), 'utf8'));
  return String(manifest.version);
}

/**
 * The environment of every npm run in the fresh workspace. npm takes what its cache holds without asking the
 * registry again: set-up is minutes with a cold cache.
 */
export const NPM_QUIET: NodeJS.ProcessEnv = {
  NX_NO_CLOUD: 'true',
  npm_config_yes: 'true',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_prefer_offline: 'true',
};

/** A command that must succeed: its result, or an error with its output. */
async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = await runCommand(command, args, { cwd, env: { ...process.env, ...env } });
  if (result.exitCode !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${cwd} exited ${result.exitCode}:\n${result.output}`,
    );
  }
  return result;
}

/** Builds the plugin into tools/homefaas/dist and packs it with `npm pack`; returns the tarball's path. */
export async function buildAndPackPlugin(destination: string): Promise<string> {
  await run('npm', ['run', 'build', '-w', '@homefaas/nx-plugin'], REPO_ROOT);
  const packed = await run(
    'npm',
    ['pack', PLUGIN_DIST, '--pack-destination', destination, '--json'],
    destination,
  );
  const [first] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  if (first === undefined) throw new Error(`npm pack named no tarball:\n${packed.output}`);
  return join(destination, first.filename);
}

/** A workspace made by create-nx-workspace, with the packed plugin installed from its tarball. */
export interface FreshWorkspace {
  root: string;
  /** Docker CLI config of this workspace (logins, buildx state). */
  dockerConfig: string;
  /** How long each set-up step took, in ms. */
  timings: Record<string, number>;
  /** Runs `npx nx ...` there with `env` added; never throws on a failure. */
  nx(args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult & { ms: number }>;
  /** Runs `npm ...` there (with {@link NPM_QUIET}); never throws on a failure. */
  npm(args: string[]): Promise<CommandResult>;
  remove(): Promise<void>;
}

/**
 * Makes a new Nx workspace the way a user does: `create-nx-workspace` with the `apps` preset (an empty
 * workspace: nx.json and package.json, no project), npm, no Nx Cloud, no prompts, no git; raises its nx to
 * the repository's version; then `npm install <tarball>`. Everything comes from the npm registry.
 */
export async function createFreshWorkspace(tarball: string): Promise<FreshWorkspace> {
  const parent = await mkdtemp(join(tmpdir(), 'homefaas-fresh-'));
  const root = join(parent, 'ws');
  const timings: Record<string, number> = {};
  const step = async (name: string, action: () => Promise<unknown>) => {
    const started = performance.now();
    await action();
    timings[name] = Math.round(performance.now() - started);
  };
  try {
    await step('create-nx-workspace', () =>
      run(
        'npx',
        [
          '--yes',
          `create-nx-workspace@${CREATE_NX_WORKSPACE_VERSION}`,
          'ws',
          '--preset=apps',
          '--nxCloud=skip',
          '--interactive=false',
          '--packageManager=npm',
          '--skipGit',
          '--analytics=false',
          '--aiAgents=none',
        ],
        parent,
        { ...NPM_QUIET, CI: 'true' },
      ),
    );
    const nxVersion = await repositoryNxVersion();
    await step(`npm install nx@${nxVersion}`, () =>
      run('npm', ['install', '--save-dev', '--save-exact', `nx@${nxVersion}`], root, NPM_QUIET),
    );
    await step('npm install <tarball>', () => run('npm', ['install', tarball], root, NPM_QUIET));
  } catch (error) {
    await rm(parent, { recursive: true, force: true });
    throw error;
  }
  const dockerConfig = join(root, '.docker-config');
  await mkdir(dockerConfig, { recursive: true });
  return {
    root,
    dockerConfig,
    timings,
    // With Nx's default, plugins in worker processes, as a user's workspace runs them (nxEnv turns it off).
    nx: (args, env = {}) => nxRunner(root, dockerConfig)(args, { NX_ISOLATE_PLUGINS: 'true', ...env }),
    npm: (args) => runCommand('npm', args, { cwd: root, env: { ...process.env, ...NPM_QUIET } }),
    remove: () => rm(parent, { recursive: true, force: true }),
  };
}
