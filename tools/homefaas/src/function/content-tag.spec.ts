import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeContentTag, resolveBaseImages } from './content-tag';

const DOCKERFILE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile and TypeScript source text, not templates
  'ARG BASE_IMAGE=node:22-alpine\nFROM ${BASE_IMAGE}\nCOPY index.js /home/app/\nUSER 1000:1000\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-tag-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A function whose handler imports a workspace lib, bundled by esbuild into a build context like the real one. */
async function bundle(libBody: string): Promise<string> {
  await mkdir(join(dir, 'libs/shared'), { recursive: true });
  await mkdir(join(dir, 'functions/fn'), { recursive: true });
  await writeFile(join(dir, 'libs/shared/index.ts'), libBody);
  await writeFile(
    join(dir, 'functions/fn/handler.ts'),
    "import { greet } from '../../libs/shared/index';\nexport default async () => greet('x');\n",
  );
  const context = join(dir, 'dist/functions/fn');
  await build({
    entryPoints: [join(dir, 'functions/fn/handler.ts')],
    bundle: true,
    platform: 'node',
    outfile: join(context, 'index.js'),
    logLevel: 'silent',
  });
  await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
  return context;
}

const input = (contextDir: string) => ({
  contextDir,
  baseImages: ['node:22-alpine'],
  platforms: ['linux/amd64', 'linux/arm64'],
});

describe('computeContentTag', () => {
  it('is c- and 12 hex, the same for the same inputs, listing what it hashed', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile and TypeScript source text, not templates
    const context = await bundle('export const greet = (n: string) => `hello ${n}`;\n');
    const first = await computeContentTag(input(context));
    expect(first.tag).toMatch(/^c-[0-9a-f]{12}$/);
    expect(first.files).toEqual(['Dockerfile', 'index.js']);
    expect(await computeContentTag(input(context))).toEqual(first);
    expect(
      (await computeContentTag({ ...input(context), platforms: ['linux/arm64', 'linux/amd64'] })).tag,
    ).toBe(first.tag);
  });

  it('changes when only a shared lib changes (the handler folder is untouched)', async () => {
    const before = await computeContentTag(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile and TypeScript source text, not templates
      input(await bundle('export const greet = (n: string) => `hello ${n}`;\n')),
    );
    const after = await computeContentTag(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile and TypeScript source text, not templates
      input(await bundle('export const greet = (n: string) => `hi ${n}`;\n')),
    );
    expect(after.tag).not.toBe(before.tag);
  });

  it('changes with the base image, the platforms, a build argument, a new file and the executable bit', async () => {
    const context = await bundle('export const greet = (n: string) => n;\n');
    const base = (await computeContentTag(input(context))).tag;
    const variants = [
      { ...input(context), baseImages: ['node:22-bookworm'] },
      { ...input(context), platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
      { ...input(context), buildArgs: { NODE_ENV: 'production' } },
    ];
    const tags = await Promise.all(variants.map(async (v) => (await computeContentTag(v)).tag));
    await writeFile(join(context, 'package.json'), '{"dependencies":{}}\n');
    tags.push((await computeContentTag(input(context))).tag);
    await chmod(join(context, 'index.js'), 0o755);
    tags.push((await computeContentTag(input(context))).tag);
    expect(new Set([base, ...tags]).size).toBe(tags.length + 1);
  });

  it('refuses an empty or missing context', async () => {
    const error = await computeContentTag(input(join(dir, 'nothing'))).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_BUILD_CONTEXT_EMPTY')).toBe(true);
  });
});

describe('resolveBaseImages', () => {
  it.each([
    [DOCKERFILE, {}, ['node:22-alpine']],
    [DOCKERFILE, { BASE_IMAGE: 'node:22-bookworm-slim' }, ['node:22-bookworm-slim']],
    [
      'FROM --platform=$BUILDPLATFORM node:22 AS build\nRUN x\nFROM build AS test\nFROM alpine:3\nCOPY --from=build /a /a\n',
      {},
      ['node:22', 'alpine:3'],
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile and TypeScript source text, not templates
    ['ARG V="22"\nFROM node:${V}-alpine\n', {}, ['node:22-alpine']],
    ['FROM base-$TARGETARCH\n', {}, ['base-$TARGETARCH']],
  ])('%#', (dockerfile, args, expected) => {
    expect(resolveBaseImages(dockerfile, args)).toEqual(expected);
  });
});
