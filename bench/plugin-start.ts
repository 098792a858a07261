// Times the no-op publish (second run, nothing changed) with the plugin as a package against the plugin as
// this repository's sources, side by side:
//   package  a workspace made by create-nx-workspace with the packed plugin installed: nx run greeter:publish
//            (built JavaScript, loaded as it is)
//   source   a copy of this repository: nx run hello-world:publish (TypeScript that Nx transpiles at start)
// Runs alternate between the two, each started once the machine is idle, so a busy moment hits both; each is
// timed with Nx's plugins in worker processes (its default) and in the nx process (NX_ISOLATE_PLUGINS=false). Target: the package's median
// at most 2.0 s, Nx start-up included.
//
// Usage: npx tsx bench/plugin-start.ts [--runs 5] [--daemon]
// Needs the test environment (tools/scripts/test-env.sh) and the npm registry (create-nx-workspace); run it
// under the Docker lock: flock /tmp/homefaas-docker.lock npx tsx bench/plugin-start.ts
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { type GatewayDouble, startGatewayDouble } from '../test/gateway-double';
import { buildAndPackPlugin, createFreshWorkspace } from '../test/package/fresh-workspace';
import { createScratchWorkspace } from '../test/publish/scratch-workspace';
import { freePort } from '../test/support/free-port';
import { waitForIdle } from './support/idle';

const HOST = 'docker-registry.home.lan';
const TARGET_MS = 2000;
const GATEWAY_PASSWORD = 'bench-gateway-password';

interface NxResult {
  exitCode: number;
  output: string;
  ms: number;
}
type Nx = (args: string[], env?: NodeJS.ProcessEnv) => Promise<NxResult>;

/** One side of the comparison: a workspace, the function it publishes, and its own registry and gateway. */
interface Side {
  name: string;
  project: string;
  gateway: GatewayDouble;
  container: string;
  address: string;
  nx: Nx;
  publish(extra?: NodeJS.ProcessEnv): Promise<NxResult>;
  remove(): Promise<void>;
  ms: Record<Mode, number[]>;
}

/**
 * How Nx loads project-graph plugins: `isolated`, its default, starts a worker process per plugin;
 * `in-process` (NX_ISOLATE_PLUGINS=false, as tools/scripts/ci-publish.sh runs Nx) loads them in the nx process.
 */
// Both set explicitly: the test harness's Nx environment (nxEnv) turns isolation off.
const MODES = {
  isolated: { NX_ISOLATE_PLUGINS: 'true' },
  'in-process': { NX_ISOLATE_PLUGINS: 'false' },
} as const;
type Mode = keyof typeof MODES;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1] || 5) || 5;
  const daemon = args.includes('--daemon');
  const scratch = await mkdtemp(join(tmpdir(), 'homefaas-bench-package-'));
  const sides: Side[] = [];
  const env = (gateway: GatewayDouble) => ({
    HOMEFAAS_CA_PASSPHRASE: 'bench-ca-passphrase',
    REGISTRY_PASSWORD: 'bench-registry-password',
    OPENFAAS_URL: gateway.url,
    OPENFAAS_PASSWORD: GATEWAY_PASSWORD,
    NX_DAEMON: daemon ? 'true' : 'false',
  });
  try {
    console.log('Packing the plugin and creating a fresh workspace (create-nx-workspace, npm install)...');
    const tarball = await buildAndPackPlugin(scratch);
    const fresh = await createFreshWorkspace(tarball);
    const packaged = await side('package', 'greeter', async (port, container) => {
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
      return { nx: fresh.nx, remove: fresh.remove };
    });
    sides.push(packaged);
    const source = await side('source', 'hello-world', async (port, container) => {
      const ws = await createScratchWorkspace({ homefaasJson: { registry: { port, container } } });
      const stackPath = join(ws.root, 'stack.yml');
      const stack = await readFile(stackPath, 'utf8');
      await writeFile(stackPath, stack.replaceAll(`${HOST}:5000/`, `${HOST}:${port}/`));
      return { nx: ws.nx, remove: ws.remove };
    });
    sides.push(source);

    for (const current of sides) {
      const cold = await current.publish();
      if (cold.exitCode !== 0) throw new Error(`${current.name}: the first publish failed:\n${cold.output}`);
      console.log(
        `${current.name}: first publish (CA, registry, image, deploy) ${(cold.ms / 1000).toFixed(1)} s`,
      );
    }
    let busy = 0;
    for (let run = 0; run < runs; run++) {
      for (const mode of Object.keys(MODES) as Mode[]) {
        for (const current of sides) {
          if (!(await waitForIdle(0.15, 30))) busy += 1;
          current.gateway.requests.length = 0;
          const result = await current.publish(MODES[mode]);
          if (result.exitCode !== 0 || result.output.includes('↻')) {
            throw new Error(`${current.name}: the no-op publish changed something:\n${result.output}`);
          }
          current.ms[mode].push(result.ms);
        }
      }
    }

    console.log(
      `\nno-op nx run <fn>:publish, ${runs} runs each, alternating (Nx daemon ${daemon ? 'on' : 'off'})`,
    );
    for (const mode of Object.keys(MODES) as Mode[]) {
      console.log(`  plugins ${mode}:`);
      for (const current of sides) {
        const sorted = [...current.ms[mode]].sort((a, b) => a - b);
        console.log(
          `    ${current.name.padEnd(8)} ${current.project.padEnd(12)} median ${seconds(median(current.ms[mode]))}` +
            `  (min ${seconds(sorted[0] ?? 0)}, max ${seconds(sorted.at(-1) ?? 0)})`,
        );
      }
      const packageMedian = median(packaged.ms[mode]);
      console.log(`    package / source: ${(packageMedian / median(source.ms[mode])).toFixed(2)}`);
      console.log(
        `    target package <= ${seconds(TARGET_MS)}: ${packageMedian <= TARGET_MS ? 'met' : 'NOT met'} (median)`,
      );
    }
    if (busy > 0) {
      console.log(`  ${busy} of ${4 * runs} runs started on a busy machine (over 15% CPU for 30 s)`);
    }
  } finally {
    for (const current of sides) {
      if (daemon) await current.nx(['daemon', '--stop'], env(current.gateway));
      await runCommand('docker', ['rm', '-f', current.container]);
      await rm(join('/etc/docker/certs.d', current.address), { recursive: true, force: true });
      await current.gateway.close();
      await current.remove();
    }
    await rm(scratch, { recursive: true, force: true });
  }

  /** Sets up one side with its own registry port, container name and gateway double. */
  async function side(
    name: string,
    project: string,
    prepare: (port: number, container: string) => Promise<{ nx: Nx; remove: () => Promise<void> }>,
  ): Promise<Side> {
    const port = await freePort();
    const container = `hf-bench-${name}-${process.pid}`;
    const gateway = await startGatewayDouble({ provider: 'faasd', password: GATEWAY_PASSWORD });
    const ws = await prepare(port, container);
    return {
      name,
      project,
      gateway,
      container,
      address: `${HOST}:${port}`,
      nx: ws.nx,
      publish: (extra = {}) => ws.nx(['run', `${project}:publish`], { ...env(gateway), ...extra }),
      remove: ws.remove,
      ms: { isolated: [], 'in-process': [] },
    };
  }
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
