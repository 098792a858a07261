import { spawn } from 'node:child_process';
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
  /**
   * Starts `npx nx ...` in a process group of its own, as a terminal would, so a test can press Ctrl-C
   * (`interrupt`) at a moment it picks from the output seen so far.
   */
  startNx(args: string[], env?: NodeJS.ProcessEnv): RunningNx;
  remove(): Promise<void>;
}

/** An `nx` command still running: its output so far, Ctrl-C, and its end. */
export interface RunningNx {
  output(): string;
  /** Resolves once the output contains `text`; rejects if the command ends first. */
  waitFor(text: string | RegExp): Promise<void>;
  /** SIGINT to the whole process group, as Ctrl-C in a terminal. */
  interrupt(): void;
  done: Promise<{ exitCode: number; output: string }>;
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
    nx: nxRunner(root, dockerConfig),
    startNx(args, env = {}) {
      const child = spawn('npx', ['nx', ...args], {
        cwd: root,
        env: { ...process.env, ...nxEnv(dockerConfig), ...env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const waiters: Array<() => void> = [];
      const append = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        for (const waiter of waiters.splice(0)) waiter();
      };
      child.stdout.on('data', append);
      child.stderr.on('data', append);
      let ended = false;
      const done = new Promise<{ exitCode: number; output: string }>((resolve) => {
        child.on('close', (code) => {
          ended = true;
          for (const waiter of waiters.splice(0)) waiter();
          resolve({ exitCode: code ?? 1, output });
        });
      });
      return {
        output: () => output,
        async waitFor(text) {
          const seen = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
          while (!seen()) {
            if (ended) throw new Error(`nx ended before printing ${text}:\n${output}`);
            await new Promise<void>((resolve) => waiters.push(resolve));
          }
        },
        interrupt: () => {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
        },
        done,
      };
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Runs `npx nx` in the workspace at `root` as a test does (see {@link nxEnv}), and times it. */
export function nxRunner(root: string, dockerConfig: string): ScratchWorkspace['nx'] {
  return async (args, env = {}) => {
    const started = performance.now();
    const result = await runCommand('npx', ['nx', ...args], {
      cwd: root,
      env: { ...process.env, ...nxEnv(dockerConfig), ...env },
    });
    return { ...result, ms: Math.round(performance.now() - started) };
  };
}

/** The environment every nx command of a scratch workspace runs with. */
export function nxEnv(dockerConfig: string): NodeJS.ProcessEnv {
  return {
    DOCKER_CONFIG: dockerConfig,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    FORCE_COLOR: '0',
    // Plugins loaded in the nx process, as tools/scripts/ci-publish.sh runs Nx: each Nx start is about a
    // second shorter. test/package runs Nx with its default (plugins in worker processes).
    NX_ISOLATE_PLUGINS: 'false',
    // As on a CI machine: Nx runs no sync generator before tasks (a test that edits stack.yml runs
    // `nx sync` itself when it needs the publish inputs in step).
    CI: 'true',
  };
}
