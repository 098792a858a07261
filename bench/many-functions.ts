// Publishing many functions: the batch path (one process, shared steps once, one `buildx bake`) against the
// per-task path (`--batch=false`: a process per function), side by side in one run, on a workspace of 31
// functions (hello-world and 30 made with `nx g new-function`; 4 of them import @homefaas/greeting).
// Measured, each as the median of --runs runs, alternating the two paths:
//   cold      `nx run-many -t publish` with an empty registry, an empty build cache and no deployments
//   no-op     the same again, nothing changed
//   lib       a commit that changes @homefaas/greeting, then `nx affected -t publish` (4 of 31)
//   entry     a commit that changes one function's stack.yml entry, then `nx affected -t publish` (1 of 31)
// Each measure after the cold one starts once the machine is idle again.
// Targets (2 cores): cold <= 60 s, no-op <= 6 s, lib <= 12 s, entry: that function redeployed, nothing built.
//
// Nx runs as tools/scripts/ci-publish.sh runs it: no daemon (unless --daemon), plugins in process.
// Usage: npx tsx bench/many-functions.ts [--runs 3] [--daemon] [--generated 30]
// Needs the test environment (tools/scripts/test-env.sh). Prunes the default builder's build cache before
// each cold run. Works in a throwaway workspace and removes what it created.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { startGatewayDouble } from '../test/gateway-double';
import { useRegistry } from '../test/publish/functions';
import { createScratchWorkspace, type ScratchWorkspace } from '../test/publish/scratch-workspace';
import { freePort } from '../test/support/free-port';

const HOST = 'docker-registry.home.lan';
const GENERATED = 30;
const GREETING_USERS = ['fn-01', 'fn-02', 'fn-03'];
const PATHS = { batch: [] as string[], 'per-task': ['--batch=false'] };
type Path = keyof typeof PATHS;

interface Measure {
  name: string;
  target?: number;
  ms: Record<Path, number[]>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) =>
    args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback;
  const runs = option('--runs', 3);
  const generated = option('--generated', GENERATED);
  // The function whose stack.yml entry the entry measure changes.
  const last = `fn-${String(generated).padStart(2, '0')}`;
  const daemon = args.includes('--daemon');
  const port = await freePort();
  const container = `hf-bench-many-${process.pid}`;
  const address = `${HOST}:${port}`;
  const password = 'bench-gateway-password';
  const gateway = await startGatewayDouble({ provider: 'faasd-pro', password });
  const ws = await createScratchWorkspace({ homefaasJson: { registry: { port, container } } });
  const env = {
    HOMEFAAS_CA_PASSPHRASE: 'bench-ca-passphrase',
    REGISTRY_PASSWORD: 'bench-registry-password',
    OPENFAAS_URL: gateway.url,
    OPENFAAS_PASSWORD: password,
    NX_DAEMON: daemon ? 'true' : 'false',
    // As tools/scripts/ci-publish.sh runs Nx.
    NX_ISOLATE_PLUGINS: 'false',
  };
  const nx = async (argv: string[]) => {
    const result = await ws.nx(argv, env);
    if (result.exitCode !== 0) throw new Error(`nx ${argv.join(' ')} failed:\n${result.output}`);
    return result;
  };
  const git = async (...argv: string[]) => {
    const result = await runCommand('git', argv, {
      cwd: ws.root,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'b',
        GIT_AUTHOR_EMAIL: 'b@b',
        GIT_COMMITTER_NAME: 'b',
        GIT_COMMITTER_EMAIL: 'b@b',
      },
    });
    if (result.exitCode !== 0) throw new Error(`git ${argv.join(' ')}:\n${result.output}`);
  };
  const commit = async (message: string) => {
    await nx(['sync']);
    await git('add', '-A');
    await git('commit', '-q', '-m', message);
  };
  const deploys = () => gateway.requests.filter((r) => r.method === 'PUT' || r.method === 'POST').length;
  let edits = 0;
  try {
    console.log(`making the workspace: ${generated} functions with nx g new-function ...`);
    for (let i = 1; i <= generated; i++) await nx(['g', 'new-function', `fn-${String(i).padStart(2, '0')}`]);
    for (const name of GREETING_USERS) await useGreeting(ws, name);
    await useRegistry(ws.root, address);
    await git('init', '-q', '-b', 'main');
    await commit('workspace');

    const cold: Measure = {
      name: 'cold publish, 31 functions',
      target: 60_000,
      ms: { batch: [], 'per-task': [] },
    };
    const noop: Measure = {
      name: 'no-op publish, 31 functions',
      target: 6_000,
      ms: { batch: [], 'per-task': [] },
    };
    const lib: Measure = {
      name: 'lib change, 4 of 31 (affected)',
      target: 12_000,
      ms: { batch: [], 'per-task': [] },
    };
    const entry: Measure = {
      name: 'one stack.yml entry, 1 of 31 (affected)',
      ms: { batch: [], 'per-task': [] },
    };
    const publishAll = (path: Path) => nx(['run-many', '-t', 'publish', '--parallel=3', ...PATHS[path]]);
    const publishAffected = (path: Path) =>
      nx(['affected', '-t', 'publish', '--base=HEAD~1', '--head=HEAD', '--parallel=3', ...PATHS[path]]);

    for (let run = 0; run < runs; run++) {
      for (const path of run % 2 === 0
        ? (['batch', 'per-task'] as const)
        : (['per-task', 'batch'] as const)) {
        console.log(`run ${run + 1}/${runs}, ${path}`);
        // Cold: no registry data, no deployments, no build cache.
        await runCommand('docker', ['rm', '-f', container]);
        await rm(join(ws.root, 'infra/registry/data'), { recursive: true, force: true });
        gateway.functions.clear();
        await runCommand('docker', ['buildx', 'prune', '-af']);
        const first = await publishAll(path);
        if (gateway.functions.size !== generated + 1)
          throw new Error(`cold run deployed ${gateway.functions.size}`);
        cold.ms[path].push(first.ms);

        // A cold bake leaves the engine busy for a few seconds more (dockerd and containerd near 100% CPU on
        // this machine): each measure below starts on an idle machine, as a CI run would.
        await waitForIdle();
        gateway.requests.length = 0;
        const again = await publishAll(path);
        if (deploys() !== 0 || again.output.includes('↻'))
          throw new Error(`no-op run changed something:\n${again.output}`);
        noop.ms[path].push(again.ms);

        edits++;
        await editGreeting(ws, `Hello ${edits}`);
        await commit(`greeting ${edits}`);
        await waitForIdle();
        gateway.requests.length = 0;
        const libRun = await publishAffected(path);
        if (deploys() !== 4) throw new Error(`lib change deployed ${deploys()}, not 4:\n${libRun.output}`);
        lib.ms[path].push(libRun.ms);

        await editEntry(ws, last, String(edits));
        await commit(`${last} entry ${edits}`);
        await waitForIdle();
        gateway.requests.length = 0;
        const entryRun = await publishAffected(path);
        if (deploys() !== 1 || entryRun.output.includes('bake') || entryRun.output.includes('buildx build')) {
          throw new Error(`entry change did more than redeploy ${last}:\n${entryRun.output}`);
        }
        entry.ms[path].push(entryRun.ms);
      }
    }
    report([cold, noop, lib, entry], runs, daemon, generated + 1);
  } finally {
    if (daemon) await ws.nx(['daemon', '--stop'], env);
    await runCommand('docker', ['rm', '-f', container]);
    await rm(join('/etc/docker/certs.d', address), { recursive: true, force: true });
    await gateway.close();
    await ws.remove();
  }
}

/** Makes a generated function greet with @homefaas/greeting, as hello-world does. */
async function useGreeting(ws: ScratchWorkspace, name: string): Promise<void> {
  const dir = join(ws.root, 'functions', name);
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8'));
  pkg.dependencies = { ...pkg.dependencies, '@homefaas/greeting': '*' };
  await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(
    join(dir, 'src/handler.ts'),
    "import { greet } from '@homefaas/greeting';\nimport type { Handler } from '@homefaas/node22-ts';\n\nconst handler: Handler = async () => ({ message: greet() });\nexport default handler;\n",
  );
}

async function editGreeting(ws: ScratchWorkspace, text: string): Promise<void> {
  const path = join(ws.root, 'libs/greeting/src/greet.ts');
  await writeFile(path, (await readFile(path, 'utf8')).replace(/return `[^,`]*,/, `return \`${text},`));
}

/** Sets LEVEL in one function's stack.yml environment. */
async function editEntry(ws: ScratchWorkspace, name: string, level: string): Promise<void> {
  const path = join(ws.root, 'stack.yml');
  const stack = (await readFile(path, 'utf8')).replace(/\n {4}environment:\n {6}LEVEL: [^\n]*/, '');
  await writeFile(
    path,
    stack.replace(`  ${name}:\n`, `  ${name}:\n    environment:\n      LEVEL: "${level}"\n`),
  );
}

/** Waits until the machine's CPUs are under 15% busy over one second (at most a minute). */
async function waitForIdle(): Promise<void> {
  const busy = async () => {
    const sample = async () => {
      const [, ...ticks] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.trim().split(/\s+/) ?? [];
      const values = ticks.map(Number);
      const idle = (values[3] ?? 0) + (values[4] ?? 0);
      return { idle, total: values.reduce((a, b) => a + b, 0) };
    };
    const before = await sample();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await sample();
    return 1 - (after.idle - before.idle) / Math.max(1, after.total - before.total);
  };
  for (let second = 0; second < 60; second++) if ((await busy()) < 0.15) return;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function report(measures: readonly Measure[], runs: number, daemon: boolean, functions: number): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `\nnx ... -t publish, ${functions} functions, medians of ${runs} runs (Nx daemon ${daemon ? 'on' : 'off'})`,
  );
  console.log('| measure | batch | per-task (--batch=false) | batch / per-task | target |');
  console.log('|---|---|---|---|---|');
  for (const measure of measures) {
    const batch = median(measure.ms.batch);
    const perTask = median(measure.ms['per-task']);
    const target =
      measure.target === undefined
        ? 'redeploy only'
        : `<= ${s(measure.target)}: ${batch <= measure.target ? 'met' : 'NOT met'}`;
    console.log(
      `| ${measure.name} | ${s(batch)} | ${s(perTask)} | ${(batch / perTask).toFixed(2)} | ${target} |`,
    );
  }
  console.log('\nall runs (ms):', JSON.stringify(measures.map((m) => ({ [m.name]: m.ms }))));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
