// Times the no-op publish (second run, nothing changed), Nx start-up included, side by side:
//   package   a workspace made by create-nx-workspace with the packed plugin installed: nx run greeter:publish
//             (built JavaScript, loaded as it is)
//   source    a copy of this repository: nx run hello-world:publish (TypeScript that Nx transpiles at start)
//   baseline  this repository at --baseline <git ref> (default: before the plugin was a package and before
//             createNodes), installed with npm ci: nx run hello-world:publish. The ratios are against it.
// Each is run the ways Nx is started (MODES): with Nx's defaults on a CI machine and on a developer's (where
// Nx runs a task's sync generators first), with plugins in the nx process (NX_ISOLATE_PLUGINS=false, as
// tools/scripts/ci-publish.sh runs Nx), and that through the nx binary instead of npx. Runs alternate between
// the sides, each started once the machine is idle, so a busy moment hits all of them. Target: the package's
// median at most 2.0 s.
//
// Usage: npx tsx bench/plugin-start.ts [--runs 5] [--baseline e02ec83]
// Needs the test environment (tools/scripts/test-env.sh) and the npm registry (create-nx-workspace, npm ci);
// run it under the Docker lock: flock /tmp/homefaas-docker.lock npx tsx bench/plugin-start.ts
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { type GatewayDouble, startGatewayDouble } from '../test/gateway-double';
import { buildAndPackPlugin, createFreshWorkspace } from '../test/package/fresh-workspace';
import { createScratchWorkspace, nxEnv, REPO_ROOT } from '../test/publish/scratch-workspace';
import { freePort } from '../test/support/free-port';
import { waitForIdle } from './support/idle';

const HOST = 'docker-registry.home.lan';
const TARGET_MS = 2000;
const GATEWAY_PASSWORD = 'bench-gateway-password';
/** The last commit before issue "one room per concern": a plugin of TypeScript sources and project.json files. */
const DEFAULT_BASELINE = 'e02ec83';

/** How Nx is started: its environment, and whether through npx or the workspace's nx binary. */
interface Mode {
  env: NodeJS.ProcessEnv;
  launcher: 'npx' | 'nx binary';
}
const MODES = {
  // Nx's default: each project-graph plugin in a worker process. On CI, Nx runs no sync generator before tasks.
  'Nx defaults, CI': { env: { NX_ISOLATE_PLUGINS: 'true', CI: 'true' }, launcher: 'npx' },
  'Nx defaults, not CI': { env: { NX_ISOLATE_PLUGINS: 'true', CI: 'false' }, launcher: 'npx' },
  'plugins in-process': { env: { NX_ISOLATE_PLUGINS: 'false', CI: 'true' }, launcher: 'npx' },
  'plugins in-process, nx binary': {
    env: { NX_ISOLATE_PLUGINS: 'false', CI: 'true' },
    launcher: 'nx binary',
  },
} as const satisfies Record<string, Mode>;
type ModeName = keyof typeof MODES;

interface NxResult {
  exitCode: number;
  output: string;
  ms: number;
}

/** One side of the comparison: a workspace, the function it publishes, and its own registry and gateway. */
interface Side extends Workspace {
  name: string;
  project: string;
  gateway: GatewayDouble;
  container: string;
  address: string;
  ms: Record<ModeName, number[]>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const runs = Number(option('--runs') ?? 5) || 5;
  const baselineRef = option('--baseline') ?? DEFAULT_BASELINE;
  const scratch = await mkdtemp(join(tmpdir(), 'homefaas-bench-package-'));
  const sides: Side[] = [];
  try {
    console.log('Packing the plugin and creating a fresh workspace (create-nx-workspace, npm install)...');
    const tarball = await buildAndPackPlugin(scratch);
    sides.push(
      await side('package', 'greeter', async (port, container) => {
        const fresh = await createFreshWorkspace(tarball);
        for (const command of [
          ['g', '@homefaas/nx-plugin:init', `--registryPort=${port}`],
          ['g', '@homefaas/nx-plugin:new-function', 'greeter'],
        ]) {
          const result = await fresh.nx(command);
          if (result.exitCode !== 0) throw new Error(`nx ${command.join(' ')} failed:\n${result.output}`);
        }
        const path = join(fresh.root, 'homefaas.json');
        const config = JSON.parse(await readFile(path, 'utf8'));
        config.registry.container = container;
        await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
        return fresh;
      }),
    );
    sides.push(
      await side('source', 'hello-world', async (port, container) => {
        const ws = await createScratchWorkspace({ homefaasJson: { registry: { port, container } } });
        await pointStackAt(ws.root, port);
        return ws;
      }),
    );
    console.log(`Checking out ${baselineRef} for the baseline (git worktree, npm ci)...`);
    sides.push(
      await side('baseline', 'hello-world', async (port, container) => {
        const baseline = await baselineWorkspace(scratch, baselineRef);
        const config = { registry: { port, container } };
        await writeFile(join(baseline.root, 'homefaas.json'), `${JSON.stringify(config, null, 2)}\n`);
        await pointStackAt(baseline.root, port);
        return baseline;
      }),
    );

    for (const current of sides) {
      const cold = await publish(current, MODES['plugins in-process']);
      if (cold.exitCode !== 0) throw new Error(`${current.name}: the first publish failed:\n${cold.output}`);
      console.log(`${current.name}: first publish (CA, registry, image, deploy) ${seconds(cold.ms)}`);
    }
    let busy = 0;
    for (let run = 0; run < runs; run++) {
      for (const mode of Object.keys(MODES) as ModeName[]) {
        for (const current of sides) {
          if (!(await waitForIdle(0.15, 30))) busy += 1;
          const result = await publish(current, MODES[mode]);
          if (result.exitCode !== 0 || result.output.includes('↻')) {
            throw new Error(
              `${current.name} (${mode}): the no-op publish changed something:\n${result.output}`,
            );
          }
          current.ms[mode].push(result.ms);
        }
      }
      console.log(`run ${run + 1} of ${runs} done`);
    }

    console.log(
      `\nno-op nx run <fn>:publish, ${runs} runs each, alternating (Nx daemon off); baseline ${baselineRef}`,
    );
    for (const mode of Object.keys(MODES) as ModeName[]) {
      console.log(`  ${mode}:`);
      const base = median(sides.find((s) => s.name === 'baseline')?.ms[mode] ?? []);
      for (const current of sides) {
        const values = current.ms[mode];
        const sorted = [...values].sort((a, b) => a - b);
        console.log(
          `    ${current.name.padEnd(9)} median ${seconds(median(values))}` +
            `  (min ${seconds(sorted[0] ?? 0)}, max ${seconds(sorted.at(-1) ?? 0)})` +
            `  / baseline ${(median(values) / base).toFixed(2)}`,
        );
      }
      const packageMedian = median(sides[0]?.ms[mode] ?? []);
      console.log(
        `    target package <= ${seconds(TARGET_MS)}: ${packageMedian <= TARGET_MS ? 'met' : 'NOT met'} (median)`,
      );
    }
    const total = Object.keys(MODES).length * sides.length * runs;
    if (busy > 0) console.log(`  ${busy} of ${total} runs started on a busy machine (over 15% CPU for 30 s)`);
  } finally {
    for (const current of sides) {
      await runCommand('docker', ['rm', '-f', current.container]);
      await rm(join('/etc/docker/certs.d', current.address), { recursive: true, force: true });
      await current.gateway.close();
      await current.remove();
    }
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A workspace a side publishes from. */
interface Workspace {
  root: string;
  dockerConfig: string;
  remove(): Promise<void>;
}

/** Sets up one side with its own registry port, container name and gateway double. */
async function side(
  name: string,
  project: string,
  setUp: (port: number, container: string) => Promise<Workspace>,
): Promise<Side> {
  const port = await freePort();
  const container = `hf-bench-${name}-${process.pid}`;
  const gateway = await startGatewayDouble({ provider: 'faasd', password: GATEWAY_PASSWORD });
  const workspace = await setUp(port, container);
  const ms = Object.fromEntries(Object.keys(MODES).map((mode) => [mode, []])) as unknown as Side['ms'];
  return { name, project, ...workspace, gateway, container, address: `${HOST}:${port}`, ms };
}

/** `nx run <project>:publish` on one side, started the mode's way; its output and wall time. */
async function publish(current: Side, mode: Mode): Promise<NxResult> {
  const env = {
    ...process.env,
    ...nxEnv(current.dockerConfig),
    HOMEFAAS_CA_PASSPHRASE: 'bench-ca-passphrase',
    REGISTRY_PASSWORD: 'bench-registry-password',
    OPENFAAS_URL: current.gateway.url,
    OPENFAAS_PASSWORD: GATEWAY_PASSWORD,
    ...mode.env,
  };
  const args = ['run', `${current.project}:publish`];
  const [command, commandArgs] =
    mode.launcher === 'npx' ? ['npx', ['nx', ...args]] : [join(current.root, 'node_modules/.bin/nx'), args];
  const started = performance.now();
  const result = await runCommand(command, commandArgs, { cwd: current.root, env });
  return { exitCode: result.exitCode, output: result.output, ms: Math.round(performance.now() - started) };
}

/**
 * stack.yml's images at this side's registry port, and `nx sync` after it (publish-inputs.json holds the port):
 * the no-op publish then finds the workspace in sync, as a committed one is.
 */
async function pointStackAt(root: string, port: number): Promise<void> {
  const path = join(root, 'stack.yml');
  const stack = await readFile(path, 'utf8');
  await writeFile(path, stack.replaceAll(`${HOST}:5000/`, `${HOST}:${port}/`));
  const sync = await runCommand('npx', ['nx', 'sync'], {
    cwd: root,
    env: { ...process.env, ...nxEnv(join(root, '.docker-config')) },
  });
  if (sync.exitCode !== 0) throw new Error(`nx sync in ${root} failed:\n${sync.output}`);
}

/** This repository at `ref`, in a git worktree of its own with its own npm ci. */
async function baselineWorkspace(scratch: string, ref: string): Promise<Workspace> {
  const root = join(scratch, 'baseline');
  const run = async (command: string, args: string[], cwd: string) => {
    const result = await runCommand(command, args, { cwd });
    if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.output}`);
  };
  await run('git', ['worktree', 'add', '--detach', root, ref], REPO_ROOT);
  await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], root);
  const dockerConfig = join(root, '.docker-config');
  await mkdir(dockerConfig, { recursive: true });
  return {
    root,
    dockerConfig,
    remove: () => run('git', ['worktree', 'remove', '--force', root], REPO_ROOT),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
