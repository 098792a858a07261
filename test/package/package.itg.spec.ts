import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStack } from '@homefaas/config';
import { runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayDouble, startGatewayDouble } from '../gateway-double';
import { freePort } from '../support/free-port';
import { waitForAnswer } from '../support/wait-for-answer';
import {
  buildAndPackPlugin,
  createFreshWorkspace,
  type FreshWorkspace,
  NPM_QUIET,
  repositoryNxVersion,
} from './fresh-workspace';

// Distinct, greppable secrets: no output of any run may contain one of them.
const CA_PASS = 'pkg-ca-passphrase-71c2';
const REG_PASS = 'pkg-registry-pw-0b9e';
const GW_PASS = 'pkg-gateway-pw-d4a8';
const HOST = 'docker-registry.home.lan';

let scratch: string;
let tarball: string;
let ws: FreshWorkspace;
let gateway: GatewayDouble;
let port: number;
let container: string;
let address: string;
let tag: string;
const runContainer = `hf-package-greeter-${process.pid}`;

const env = () => ({
  HOMEFAAS_CA_PASSPHRASE: CA_PASS,
  REGISTRY_PASSWORD: REG_PASS,
  OPENFAAS_URL: gateway.url,
  OPENFAAS_PASSWORD: GW_PASS,
});
const sequence = () => gateway.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

function expectNoSecret(output: string): void {
  for (const secret of [CA_PASS, REG_PASS, GW_PASS]) expect(output).not.toContain(secret);
}

/** Every file under `dir`, relative, sorted. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(dir, path)));
    else files.push(path);
  }
  return files.sort();
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'homefaas-package-'));
  port = await freePort();
  container = `hf-package-e2e-${process.pid}`;
  address = `${HOST}:${port}`;
  gateway = await startGatewayDouble({ provider: 'faasd', password: GW_PASS });
});

afterAll(async () => {
  await runCommand('docker', ['rm', '-f', container, runContainer]);
  await rm(join('/etc/docker/certs.d', address), { recursive: true, force: true });
  await gateway?.close();
  await ws?.remove();
  await rm(scratch, { recursive: true, force: true });
});

describe('the plugin as a package: packed, installed into a fresh Nx workspace, used end to end', () => {
  it('builds to JavaScript with its template inside, and packs into a tarball that declares its dependencies', async () => {
    tarball = await buildAndPackPlugin(scratch);
    const unpacked = join(scratch, 'unpacked');
    const extracted = await runCommand('mkdir', ['-p', unpacked]).then(() =>
      runCommand('tar', ['-xzf', tarball, '-C', unpacked]),
    );
    expect(extracted.exitCode, extracted.output).toBe(0);
    const root = join(unpacked, 'package');
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('@homefaas/nx-plugin');
    expect(manifest.private).toBeUndefined();
    expect(manifest.main).toBe('./src/index.js');
    expect(Object.keys(manifest.dependencies)).toEqual(
      expect.arrayContaining(['@nx/devkit', 'dockerode', 'esbuild', 'node-forge', 'undici', 'yaml']),
    );
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@homefaas/'))).toEqual([]);
    expect(manifest.peerDependencies).toEqual({ nx: expect.stringMatching(/^\^\d+\.0\.0$/) });

    const files = await listFiles(root);
    // Every executor, batch implementation and generator is a built file; the executors.json names it.
    const executors = JSON.parse(await readFile(join(root, 'executors.json'), 'utf8')).executors;
    const generators = JSON.parse(await readFile(join(root, 'generators.json'), 'utf8')).generators;
    const entries = [
      ...Object.values<Record<string, string>>(executors).flatMap((e) => [
        e.implementation,
        e.batchImplementation,
      ]),
      ...Object.values<Record<string, string>>(generators).map((g) => g.factory),
      manifest.main,
    ].filter((path): path is string => path !== undefined);
    expect(Object.keys(generators)).toContain('init');
    for (const entry of entries) {
      expect(entry).toMatch(/\.js$/);
      const text = await readFile(join(root, entry), 'utf8');
      // The workspace libs are inside; nothing loads a TypeScript source at run time.
      expect(text, entry).not.toMatch(/require\("@homefaas\//);
    }
    for (const config of [
      ...Object.values<Record<string, string>>(executors),
      ...Object.values<Record<string, string>>(generators),
    ]) {
      expect(files).toContain((config.schema ?? '').replace(/^\.\//, ''));
    }
    expect(files).toEqual(
      expect.arrayContaining([
        'template/node22-ts/Dockerfile',
        'template/node22-ts/template.yml',
        'template/node22-ts/package.json',
        'template/node22-ts/runtime/index.ts',
        'src/generators/new-function/files/src/handler.ts.template',
      ]),
    );
    // TypeScript only where it is a template: the function runtime and the generators' files.
    expect(files.filter((f) => f.endsWith('.ts') && !f.startsWith('template/'))).toEqual([]);
    expect(
      files.filter((f) => /\.spec\.ts$/.test(f) && !f.startsWith('template/node22-ts/function/')),
    ).toEqual([]);
  });

  it('installs into a workspace create-nx-workspace made, at the Nx version of this repository', async () => {
    ws = await createFreshWorkspace(tarball);
    const manifest = JSON.parse(await readFile(join(ws.root, 'package.json'), 'utf8'));
    expect(manifest.devDependencies.nx).toContain(await repositoryNxVersion());
    expect(manifest.dependencies['@homefaas/nx-plugin']).toMatch(/\.tgz$/);
    const installed = JSON.parse(
      await readFile(join(ws.root, 'node_modules/@homefaas/nx-plugin/package.json'), 'utf8'),
    );
    expect(installed.version).toBe('0.1.0');
    // A fresh workspace: nothing of homefaas yet.
    for (const file of ['homefaas.json', 'stack.yml', 'template', 'functions']) {
      expect(existsSync(join(ws.root, file)), file).toBe(false);
    }
    const version = await ws.nx(['--version']);
    expect(version.output).toContain(await repositoryNxVersion());
    console.log(`fresh workspace set-up (ms): ${JSON.stringify(ws.timings)}`);
  });

  it('nx g init writes homefaas.json, stack.yml and the rest; running it again changes nothing', async () => {
    // init installs the vitest it adds: npm, as everywhere here, from its cache first.
    const result = await ws.nx(['g', '@homefaas/nx-plugin:init', `--registryPort=${port}`], NPM_QUIET);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`↻ created homefaas.json (registry ${address})`);
    expect(result.output).toContain('↻ created stack.yml (provider openfaas, no functions yet)');
    expect(result.output).toContain('↻ registered @homefaas/nx-plugin in nx.json: in plugins');
    expect(result.output).toContain("↻ added vitest to devDependencies (functions' tests)");
    const nxJson = JSON.parse(await readFile(join(ws.root, 'nx.json'), 'utf8'));
    expect(nxJson.plugins).toContain('@homefaas/nx-plugin');
    expect(nxJson.sync.globalGenerators).toEqual(['@homefaas/nx-plugin:sync-publish-inputs']);
    const manifest = JSON.parse(await readFile(join(ws.root, 'package.json'), 'utf8'));
    expect(manifest.devDependencies.vitest).toMatch(/^\^\d+\./);
    expect(existsSync(join(ws.root, 'node_modules/vitest/package.json'))).toBe(true);
    expect(await readFile(join(ws.root, '.gitignore'), 'utf8')).toMatch(/^\*\.key$/m);
    expect(existsSync(join(ws.root, 'template'))).toBe(false);

    const again = await ws.nx(['g', '@homefaas/nx-plugin:init', `--registryPort=${port}`]);
    expect(again.exitCode, again.output).toBe(0);
    expect(again.output).not.toContain('↻');
    expect(again.output).toContain('✔ kept homefaas.json as it is');

    // This test's own registry container, so it never meets another test's.
    const config = JSON.parse(await readFile(join(ws.root, 'homefaas.json'), 'utf8'));
    config.registry.container = container;
    await writeFile(join(ws.root, 'homefaas.json'), `${JSON.stringify(config, null, 2)}\n`);
  });

  it('nx g new-function greeter scaffolds the function into the stack, with its targets', async () => {
    const result = await ws.nx(['g', '@homefaas/nx-plugin:new-function', 'greeter']);
    expect(result.exitCode, result.output).toBe(0);
    expect(existsSync(join(ws.root, 'functions/greeter/src/handler.ts'))).toBe(true);
    // No npm workspaces here: nothing to record in a lock, and no dependency for npm to look up.
    expect(result.output).toContain('npx nx run greeter:test');
    expect(result.output).not.toContain('package-lock.json');
    expect(result.output).not.toContain('workspace package');
    const fnManifest = JSON.parse(await readFile(join(ws.root, 'functions/greeter/package.json'), 'utf8'));
    expect(fnManifest.dependencies).toBeUndefined();
    const stack = parseStack(await readFile(join(ws.root, 'stack.yml'), 'utf8'));
    expect(stack.functions.greeter?.image).toBe(`${address}/greeter:latest`);
    const shown = await ws.nx(['show', 'project', 'greeter', '--json']);
    expect(shown.exitCode, shown.output).toBe(0);
    const project = JSON.parse(shown.stdout.slice(shown.stdout.indexOf('{')));
    expect(project.targets.publish.executor).toBe('@homefaas/nx-plugin:publish');
    expect(Object.keys(project.targets)).toEqual(
      expect.arrayContaining(['build', 'test', 'serve', 'image', 'publish']),
    );
    // The workspace has no vitest config of its own: vitest's defaults, no `--project`.
    expect(project.targets.test.options.command).toBe('npx vitest run functions/greeter/');
    // new-function wrote greeter's publish-inputs.json as the packaged sync generator would.
    expect(existsSync(join(ws.root, 'functions/greeter/publish-inputs.json'))).toBe(true);
    const check = await ws.nx(['sync:check']);
    expect(check.exitCode, check.output).toBe(0);
  });

  it('npm install then nx test greeter runs the scaffolded spec with the vitest init added', async () => {
    const install = await ws.npm(['install']);
    expect(install.exitCode, install.output).toBe(0);
    const result = await ws.nx(['test', 'greeter']);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/functions\/greeter\/src\/handler\.spec\.ts \(3 tests\)/);
    expect(result.output).toMatch(/Tests +3 passed \(3\)/);
  });

  it("nx run greeter:publish builds with the plugin's template, pushes, deploys, and the function answers", async () => {
    const result = await ws.nx(['run', 'greeter:publish'], env());
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('↻ CA: created infra/ca/homeCA.pem');
    expect(result.output).toMatch(/↻ registry container: created and started/);
    expect(result.output).toMatch(
      /↻ \[greeter\] image: .* built for linux\/amd64, linux\/arm64, linux\/arm\/v7 and pushed/,
    );
    tag = /greeter:(c-[0-9a-f]{12})/.exec(result.output)?.[1] ?? '';
    expect(tag).toMatch(/^c-[0-9a-f]{12}$/);
    const ref = `${address}/greeter:${tag}`;
    expect(gateway.functions.get('greeter')?.image).toBe(ref);
    expect(result.output).toMatch(/greeter +c-[0-9a-f]{12} +built +deployed +ready/);

    // The image the gateway was told to run, pulled from the registry and started: it answers.
    const fnPort = await freePort();
    const started = await runCommand(
      'docker',
      [
        'run',
        '-d',
        '--pull',
        'always',
        '--name',
        runContainer,
        '--network',
        'host',
        '-e',
        `port=${fnPort}`,
        ref,
      ],
      { env: { ...process.env, DOCKER_CONFIG: ws.dockerConfig } },
    );
    expect(started.exitCode, started.output).toBe(0);
    expect(await waitForAnswer(`http://127.0.0.1:${fnPort}/?name=Ada`)).toEqual({
      status: 200,
      body: { function: 'greeter', greeting: 'Hello, Ada!' },
    });
  });

  it('a second publish with nothing changed builds, pushes and deploys nothing', async () => {
    gateway.requests.length = 0;
    const result = await ws.nx(['run', 'greeter:publish'], env());
    expectNoSecret(result.output);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(
      `✔ [greeter] image: ${address}/greeter:${tag} is in the registry: build and push skipped`,
    );
    expect(result.output).not.toContain('↻');
    expect(sequence()).toEqual(['GET /system/functions 200']);
    console.log(`no-op publish in the fresh workspace: ${result.ms} ms`);
  });
});
