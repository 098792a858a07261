import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundle } from '../../tools/homefaas/src/test-support/build-workspace';
import { freePort } from '../support/free-port';
import { type FaasStack, newFunction, parseFaasStack, writeBuildContext } from './faas-cli';

// The bundle step of the template's Dockerfile, run on this machine in the build contexts faas-cli writes: the
// very command of the Dockerfile's RUN, with its two fixed paths pointed into a temporary folder.
const REPO_ROOT = resolve(__dirname, '../..');
const TEMPLATE = join(REPO_ROOT, 'template/node22-ts');

let scratch: string;
let esbuildArchive: string;

/** The RUN command of the bundle stage, as the exec-form array in the Dockerfile. */
function bundleCommand(): string[] {
  const dockerfile = readFileSync(join(TEMPLATE, 'Dockerfile'), 'utf8');
  const match = /RUN --network=none [^\n]*\\\n\s*(\[.*\])\n/.exec(dockerfile);
  if (!match?.[1]) throw new Error('no exec-form RUN in the bundle stage of the Dockerfile');
  return JSON.parse(match[1]) as string[];
}

/** Runs the bundle step in `context`; returns its exit status, its output, and the bundle it wrote. */
function bundle(context: string): { status: number | null; output: string; outfile: string } {
  const outfile = join(context, '..', `${context.split('/').at(-1)}.js`);
  const [command, ...args] = bundleCommand().map((part) =>
    part
      .replaceAll('/opt/esbuild/esbuild.tgz', esbuildArchive)
      .replaceAll('/home/app/bundle/index.js', outfile),
  );
  // Never let the step write to the image's paths on this machine.
  if (args.some((arg) => arg.includes('/home/app/') || arg.includes('/opt/esbuild/'))) {
    throw new Error(`the bundle step still names an image path: ${args.join(' ')}`);
  }
  const result = spawnSync(command ?? 'node', args, { cwd: context, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, outfile };
}

async function answer(file: string, init: RequestInit & { path?: string } = {}): Promise<unknown> {
  const port = await freePort();
  const running = await runBundle(file, port);
  try {
    const response = await fetch(`http://127.0.0.1:${port}${init.path ?? '/'}`, init);
    return { status: response.status, body: await response.json() };
  } finally {
    await running.stop();
  }
}

/** The workspace's stack.yml with the one line faas-cli needs to copy the sample's lib into its context. */
function workspaceStack(copy: string[]): FaasStack {
  const stack = parseFaasStack(readFileSync(join(REPO_ROOT, 'stack.yml'), 'utf8'));
  return { ...stack, configuration: { copy } };
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'faas-cli-bundle-'));
  // esbuild's npm package for this machine, as the Dockerfile fetches it: package/bin/esbuild in a .tgz.
  const pkg = join(scratch, 'esbuild-package');
  mkdirSync(join(pkg, 'package/bin'), { recursive: true });
  const binary = join(REPO_ROOT, `node_modules/@esbuild/${process.platform}-${process.arch}/bin/esbuild`);
  copyFileSync(binary, join(pkg, 'package/bin/esbuild'));
  esbuildArchive = join(scratch, 'esbuild.tgz');
  execFileSync('tar', ['-czf', esbuildArchive, '-C', pkg, 'package/bin/esbuild']);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the Dockerfile's bundle step, in faas-cli's build contexts", () => {
  it('bundles the workspace sample: its src/handler.ts, the runtime, and @homefaas/greeting copied by configuration.copy', async () => {
    const context = writeBuildContext(REPO_ROOT, workspaceStack(['./libs/greeting']), 'hello-world', scratch);
    const result = bundle(context);
    expect(result.status, result.output).toBe(0);
    expect(await answer(result.outfile, { path: '/?name=Ada' })).toEqual({
      status: 200,
      body: { message: 'Hello, Ada!' },
    });
  });

  it('names configuration.copy when a workspace lib is missing from the context', () => {
    const context = writeBuildContext(REPO_ROOT, workspaceStack([]), 'hello-world', scratch);
    const result = bundle(context);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('Could not resolve "@homefaas/greeting"');
    expect(result.output).toContain('list its folder under configuration.copy in stack.yml');
  });

  it("serves a handler in the official Node template's layout, handler.js with its node_modules, over the starter", async () => {
    const project = join(scratch, 'official');
    mkdirSync(join(project, 'template'), { recursive: true });
    execFileSync('cp', ['-r', TEMPLATE, join(project, 'template/node22-ts')]);
    write(
      join(project, 'legacy/handler.js'),
      `'use strict';
const shout = require('shout-words');
module.exports = async (event, context) => context.status(202).succeed({ said: shout(event.body.text) });
`,
    );
    write(join(project, 'legacy/package.json'), '{"name": "openfaas-function", "main": "handler.js"}');
    write(
      join(project, 'legacy/node_modules/shout-words/index.js'),
      'module.exports = (text) => text.toUpperCase() + "!";\n',
    );
    const stack = { functions: { legacy: { lang: 'node22-ts', handler: './legacy', image: 'legacy:1' } } };
    const context = writeBuildContext(project, stack, 'legacy', scratch);
    const result = bundle(context);
    expect(result.status, result.output).toBe(0);
    const reply = await answer(result.outfile, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(reply).toEqual({ status: 202, body: { said: 'HI!' } });
  });

  it('bundles what `faas-cli new --lang node22-ts` makes from the template', async () => {
    const project = join(scratch, 'new');
    mkdirSync(join(project, 'template'), { recursive: true });
    execFileSync('cp', ['-r', TEMPLATE, join(project, 'template/node22-ts')]);
    newFunction(project, 'my-fn', 'node22-ts', 'my-fn:latest');
    const context = writeBuildContext(
      project,
      parseFaasStack(readFileSync(join(project, 'stack.yml'), 'utf8')),
      'my-fn',
      scratch,
    );
    const result = bundle(context);
    expect(result.status, result.output).toBe(0);
    expect(await answer(result.outfile, { path: '/?name=Grace' })).toEqual({
      status: 200,
      body: { greeting: 'Hello, Grace!' },
    });
  });

  it('fetches the esbuild version the workspace bundles with, for every build machine architecture', () => {
    const dockerfile = readFileSync(join(TEMPLATE, 'Dockerfile'), 'utf8');
    const installed = JSON.parse(
      readFileSync(join(REPO_ROOT, 'node_modules/esbuild/package.json'), 'utf8'),
    ).version;
    const fetched = [
      ...dockerfile.matchAll(/registry\.npmjs\.org\/@esbuild\/(linux-[a-z0-9]+)\/-\/\1-([0-9.]+)\.tgz/g),
    ];
    expect(fetched.map((match) => [match[1], match[2]])).toEqual([
      ['linux-x64', installed],
      ['linux-arm64', installed],
      ['linux-arm', installed],
    ]);
  });

  it('names the handler files it looks for when function/ has none', () => {
    const context = join(scratch, 'empty');
    execFileSync('cp', ['-r', TEMPLATE, context]);
    rmSync(join(context, 'function'), { recursive: true, force: true });
    const result = bundle(context);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      'No handler in function/: expected one of handler.ts, handler.js, src/handler.ts.',
    );
  });
});
