/**
 * Benchmark, not a test: how long `nx run infra:registry-up` and `nx run infra:doctor` take when everything
 * is already in place, against Nx's own start-up (`nx show projects`, `nx:noop`, and a no-op executor of a
 * local TypeScript plugin, which is how Nx runs this plugin),
 * interleaved, in one run, in a throw-away workspace with its own container, port, certs.d and Docker config.
 * Linux only (CPU time from /proc). Needs the Docker engine and the local registry:2 image (tools/scripts/test-env.sh).
 * Run: npx tsx bench/registry.ts [repetitions]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRegistryTestWorkspace,
  REPOSITORY_ROOT,
} from '../tools/homefaas/src/test-support/registry-itg-workspace';

const REPETITIONS = Number(process.argv[2] ?? 7);

async function main(): Promise<void> {
  const ws = await createRegistryTestWorkspace('bench', { withNx: true });
  try {
    addNoopTargets(ws.root);

    const env = {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      REGISTRY_PASSWORD: ws.password,
      HOMEFAAS_CA_PASSPHRASE: ws.passphrase,
    };
    const local = [
      `--container=${ws.container}`,
      `--certsDir=${ws.certsDir}`,
      `--dockerConfig=${ws.dockerConfig}`,
    ];
    const run = (args: string[], label: string): Sample => {
      const cpuBefore = childrenCpuMs();
      const start = performance.now();
      const result = spawnSync('npx', ['nx', ...args], { cwd: ws.root, env, encoding: 'utf8' });
      const wall = performance.now() - start;
      if (result.status !== 0) throw new Error(`${label} failed:\n${result.stdout}${result.stderr}`);
      return { wall, cpu: childrenCpuMs() - cpuBefore };
    };

    console.log(`workspace ${ws.root}, registry ${ws.address}, container ${ws.container}`);
    const generate = run(['g', 'registry', `--port=${ws.port}`, '--ip=127.0.0.1'], 'nx g registry');
    console.log(`cold: nx g registry ${ms(generate.wall)}`);
    console.log(`cold: registry-up   ${ms(run(['run', 'infra:registry-up', ...local], 'registry-up').wall)}`);

    const commands: Record<string, string[]> = {
      'nx show projects': ['show', 'projects'],
      'nx run infra:noop': ['run', 'infra:noop'],
      'nx run infra:plugin-noop': ['run', 'infra:plugin-noop'],
      'nx run infra:registry-up': ['run', 'infra:registry-up', ...local],
      'nx run infra:doctor': ['run', 'infra:doctor', ...local],
    };
    const samples: Record<string, Sample[]> = Object.fromEntries(
      Object.keys(commands).map((name) => [name, []]),
    );
    // Warm-up: the first Nx run in a workspace computes its project graph.
    run(['show', 'projects'], 'warm-up');
    const inProcess: Record<string, InProcessSample[]> = { 'registry-up': [], doctor: [] };
    for (let round = 0; round < REPETITIONS; round += 1) {
      for (const [name, args] of Object.entries(commands)) samples[name]?.push(run(args, name));
      for (const name of Object.keys(inProcess))
        inProcess[name]?.push(runInProcess(ws.root, name, local, env));
    }

    console.log(`\n${REPETITIONS} runs each, interleaved, everything already in place (median, min-max):`);
    console.log(
      `  ${''.padEnd(26)} ${'wall'.padStart(8)}  ${'(min - max)'.padEnd(21)}  ${'CPU'.padStart(8)}`,
    );
    const medians: Record<string, Sample> = {};
    for (const [name, values] of Object.entries(samples)) {
      const walls = values.map((v) => v.wall);
      medians[name] = { wall: median(walls), cpu: median(values.map((v) => v.cpu)) };
      console.log(
        `  ${name.padEnd(26)} ${ms(median(walls))}  (${ms(Math.min(...walls))} - ${ms(Math.max(...walls))})  ${ms(medians[name].cpu)}`,
      );
    }
    const baselines: Array<[string, string]> = [
      ['nx run infra:noop', "Nx's nx:noop"],
      ['nx run infra:plugin-noop', 'a no-op executor of a TypeScript plugin'],
      ['nx show projects', 'nx show projects'],
    ];
    for (const name of ['nx run infra:registry-up', 'nx run infra:doctor']) {
      const value = medians[name] ?? { wall: 0, cpu: 0 };
      console.log(`  ${name}, beyond:`);
      for (const [baseline, label] of baselines) {
        const base = medians[baseline] ?? { wall: 0, cpu: 0 };
        console.log(
          `    ${label.padEnd(42)} wall ${ms(value.wall - base.wall)}, CPU ${ms(value.cpu - base.cpu)}`,
        );
      }
    }
    console.log(
      '\n  The executors alone, in a fresh node with the transpiler Nx uses (@swc-node/register), median:',
    );
    for (const [name, values] of Object.entries(inProcess)) {
      const load = median(values.map((v) => v.load));
      const execute = median(values.map((v) => v.run));
      console.log(
        `    ${name.padEnd(12)} load ${ms(load)}, run ${ms(execute)}, together ${ms(load + execute)}`,
      );
    }
  } finally {
    ws.cleanup();
  }
}

/**
 * Two baselines in the throw-away workspace: Nx's own `nx:noop`, and a local TypeScript plugin whose executor
 * does nothing (what any executor of a TypeScript plugin costs Nx to load: manifest, schema, transpiler).
 */
function addNoopTargets(root: string): void {
  const projectFile = join(root, 'infra/project.json');
  const project = JSON.parse(readFileSync(projectFile, 'utf8'));
  project.targets.noop = { executor: 'nx:noop' };
  project.targets['plugin-noop'] = { executor: '@homefaas-bench/noop:noop' };
  writeFileSync(projectFile, JSON.stringify(project, null, 2));
  // A local plugin of its own: @homefaas/nx-plugin resolves to this repository's manifests through node_modules.
  const plugin = join(root, 'tools/bench-noop');
  mkdirSync(plugin);
  const write = (file: string, value: unknown) =>
    writeFileSync(
      join(plugin, file),
      typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`,
    );
  write('package.json', {
    name: '@homefaas-bench/noop',
    version: '0.0.0',
    private: true,
    // Nx finds a workspace package that is not in node_modules by its entry point.
    main: 'executor.ts',
    executors: './executors.json',
  });
  write('executors.json', {
    executors: {
      noop: { implementation: './executor', schema: './schema.json', description: 'Does nothing.' },
    },
  });
  write('schema.json', { type: 'object', properties: {} });
  write(
    'executor.ts',
    'export default async function noop(): Promise<{ success: boolean }> {\n  return { success: true };\n}\n',
  );
}

interface InProcessSample {
  /** Requiring the executor module (and everything it imports). */
  load: number;
  run: number;
}

/** Runs one executor in a fresh node, timing its module loading and its run, without Nx around it. */
function runInProcess(root: string, name: string, flags: string[], env: NodeJS.ProcessEnv): InProcessSample {
  const options = Object.fromEntries(
    flags.map((flag) => flag.replace(/^--/, '').split('=') as [string, string]),
  );
  const script = `
    require('@swc-node/register');
    const started = performance.now();
    const executor = require(${JSON.stringify(join(REPOSITORY_ROOT, 'tools/homefaas/src/executors', name, 'executor.ts'))});
    const loaded = performance.now();
    executor.default(${JSON.stringify(options)}, { root: ${JSON.stringify(root)} }).then((result) => {
      if (!result.success) process.exit(1);
      console.log(JSON.stringify({ load: loaded - started, run: performance.now() - loaded }));
    });`;
  const result = spawnSync('node', ['-e', script], { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} in process failed:\n${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as InProcessSample;
}

interface Sample {
  wall: number;
  /** User + system CPU time of the command and the processes it waited for. */
  cpu: number;
}

/**
 * CPU time of this process's finished children (Linux /proc/self/stat cutime + cstime, in clock ticks of
 * 10 ms): less disturbed than wall time when other work shares the machine.
 */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ", field 3 (state) is index 0, so cutime (16) and cstime (17) are 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`.padStart(8);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
