// Times `npx nx run hello-world:publish` cold (no CA, registry, image or deployment yet) against a second run
// with nothing changed (everything ensured, the content tag in the registry, the gateway on that image).
// Target: the second run in 2 s or less, Nx start-up included.
//
// Usage: npx tsx bench/publish.ts [--runs 5] [--daemon]
// Needs the test environment (tools/scripts/test-env.sh): Docker, buildx, the registry and Node base images.
// Works in a throwaway copy of the workspace and cleans up everything it created, by name.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { startGatewayDouble } from '../test/gateway-double';
import { createScratchWorkspace } from '../test/publish/scratch-workspace';
import { freePort } from '../test/support/free-port';

const HOST = 'docker-registry.home.lan';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1] || 5) || 5;
  const daemon = args.includes('--daemon');
  const port = await freePort();
  const container = `hf-bench-registry-${process.pid}`;
  const address = `${HOST}:${port}`;
  const double = await startGatewayDouble({ provider: 'faasd', password: 'bench-gateway-password' });
  const ws = await createScratchWorkspace({ homefaasJson: { registry: { port, container } } });
  const env = {
    HOMEFAAS_CA_PASSPHRASE: 'bench-ca-passphrase',
    REGISTRY_PASSWORD: 'bench-registry-password',
    OPENFAAS_URL: double.url,
    OPENFAAS_PASSWORD: 'bench-gateway-password',
    NX_DAEMON: daemon ? 'true' : 'false',
  };
  try {
    const { readFile, writeFile } = await import('node:fs/promises');
    const stackPath = join(ws.root, 'stack.yml');
    await writeFile(
      stackPath,
      (await readFile(stackPath, 'utf8')).replaceAll(`${HOST}:5000/`, `${address}/`),
    );

    const cold = await ws.nx(['run', 'hello-world:publish'], env);
    if (cold.exitCode !== 0) throw new Error(`cold publish failed:\n${cold.output}`);
    const second: number[] = [];
    for (let i = 0; i < runs; i++) {
      double.requests.length = 0;
      const run = await ws.nx(['run', 'hello-world:publish'], env);
      if (run.exitCode !== 0 || run.output.includes('↻'))
        throw new Error(`second publish changed something:\n${run.output}`);
      if (double.requests.length !== 1)
        throw new Error(`second publish sent ${double.requests.length} gateway requests`);
      second.push(run.ms);
    }
    // Nx's own floor in this workspace: a cached task that does nothing else.
    const floor: number[] = [];
    for (let i = 0; i < runs; i++) floor.push((await ws.nx(['run', 'hello-world:build'], env)).ms);
    const floorMedian = [...floor].sort((a, b) => a - b)[Math.floor(floor.length / 2)] ?? 0;
    const sorted = [...second].sort((a, b) => a - b);
    const [min = 0, median = 0, max = 0] = [sorted[0], sorted[Math.floor(sorted.length / 2)], sorted.at(-1)];
    console.log(`nx run hello-world:publish (Nx daemon ${daemon ? 'on' : 'off'})`);
    console.log(
      `  cold (CA, registry, trust, 3-platform build and push, deploy): ${(cold.ms / 1000).toFixed(2)} s`,
    );
    console.log(
      `  second, nothing changed, ${runs} runs: min ${(min / 1000).toFixed(2)} s, median ${(median / 1000).toFixed(2)} s, max ${(max / 1000).toFixed(2)} s`,
    );
    console.log(
      `  Nx alone (nx run hello-world:build, cached), median: ${(floorMedian / 1000).toFixed(2)} s`,
    );
    console.log(`  target second run <= 2.00 s: ${median <= 2000 ? 'met' : 'NOT met'} (median)`);
  } finally {
    if (daemon) await ws.nx(['daemon', '--stop'], env);
    await runCommand('docker', ['rm', '-f', container]);
    await rm(join('/etc/docker/certs.d', address), { recursive: true, force: true });
    await double.close();
    await ws.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
