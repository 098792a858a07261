import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HomefaasError } from '@homefaas/core';

/** Prefix of content tags, so they never collide with `latest` or a git sha. */
export const CONTENT_TAG_PREFIX = 'c-';

/** One file of a build context: its path relative to the context, executable bit, and bytes (or link target). */
export interface ContextFile {
  path: string;
  executable: boolean;
  contents: Uint8Array | string;
  /** The target of a symbolic link; `contents` is then ignored. */
  link?: string;
}

/** What decides the image, besides the build context's files: what the Dockerfile takes from outside it. */
export interface ContentTagSettings {
  /** Base image references after build arguments are applied, e.g. `node:22-alpine` ({@link resolveBaseImages}). */
  baseImages: readonly string[];
  platforms: readonly string[];
  buildArgs?: Readonly<Record<string, string>>;
}

/** A build context on disk and what the Dockerfile takes from outside it. */
export interface ContentTagInput extends ContentTagSettings {
  /** The Docker build context (dist/functions/<name>): bundle, Dockerfile, package.json if any. */
  contextDir: string;
}

/** The tag and what went into it. */
export interface ContentTag {
  /** `c-` and 12 hex characters of the digest. */
  tag: string;
  /** sha256 over the inputs, hex. */
  digest: string;
  /** Context files that were hashed, relative, sorted. */
  files: string[];
}

/**
 * A tag that changes exactly when the image would: a sha256 over every file of the build context (path,
 * executable bit, bytes), the base image reference, the sorted platforms and the build arguments. Because the
 * bundle inlines every workspace lib, a change in a shared lib changes the tag.
 */
export async function computeContentTag(input: ContentTagInput): Promise<ContentTag> {
  const files = await readContextFiles(input.contextDir);
  if (files.length === 0) {
    throw new HomefaasError(
      'ERR_BUILD_CONTEXT_EMPTY',
      `The build context ${input.contextDir} has no files.`,
      {
        hint: 'Build the function first (npx nx run <fn>:build).',
      },
    );
  }
  return contentTagOf(files, input);
}

/** {@link computeContentTag} of files held in memory (a bundle not yet written), sorted by path here. */
export function contentTagOf(files: readonly ContextFile[], settings: ContentTagSettings): ContentTag {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  const field = (name: string, value: string | Buffer) => {
    // Length-prefixed, so no two different inputs produce the same byte stream.
    hash.update(`${name}:${Buffer.byteLength(value)}:`);
    hash.update(value);
  };
  field('base', settings.baseImages.join(','));
  field('platforms', [...new Set(settings.platforms)].sort().join(','));
  for (const [key, value] of Object.entries(settings.buildArgs ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    field(`arg ${key}`, value);
  }
  for (const file of sorted) {
    if (file.link !== undefined) field(`link ${file.path}`, file.link);
    else field(`file ${file.path} ${file.executable ? 'x' : '-'}`, Buffer.from(file.contents));
  }
  const digest = hash.digest('hex');
  return {
    tag: `${CONTENT_TAG_PREFIX}${digest.slice(0, 12)}`,
    digest,
    files: sorted.map((file) => file.path),
  };
}

/** Whether two sets of context files hold the same paths with the same bytes. */
export function sameContextFiles(a: readonly ContextFile[], b: readonly ContextFile[]): boolean {
  return (
    a.length === b.length &&
    b.every((file) => {
      const other = a.find((candidate) => candidate.path === file.path);
      return other !== undefined && Buffer.from(other.contents).equals(Buffer.from(file.contents));
    })
  );
}

/** Every file under `dir` (recursively) as {@link ContextFile}s; `[]` when `dir` does not exist. */
export async function readContextFiles(dir: string): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  for (const path of await listFiles(dir)) {
    const full = join(dir, path);
    const stat = await lstat(full);
    if (stat.isSymbolicLink())
      files.push({ path, executable: false, contents: '', link: await readlink(full) });
    else files.push({ path, executable: (stat.mode & 0o111) !== 0, contents: await readFile(full) });
  }
  return files;
}

/**
 * The images a Dockerfile starts its stages from (not earlier stages), in order, with `ARG` defaults and
 * build arguments substituted (`ARG BASE_IMAGE=node:22-alpine` … `FROM ${BASE_IMAGE}`).
 */
export function resolveBaseImages(
  dockerfile: string,
  buildArgs: Readonly<Record<string, string>> = {},
): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images: string[] = [];
  for (const raw of dockerfile.split('\n')) {
    const line = raw.trim();
    const arg = line.match(/^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i);
    // Only ARGs before the first FROM are in scope for FROM lines.
    if (arg?.[1] && images.length === 0 && stages.size === 0) {
      args.set(arg[1], buildArgs[arg[1]] ?? unquote(arg[2] ?? ''));
    }
    const from = line.match(/^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i);
    if (!from?.[1]) continue;
    const image = from[1].replace(
      /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
      (whole: string, name: string) => args.get(name) ?? whole,
    );
    if (!stages.has(image) && !images.includes(image)) images.push(image);
    if (from[2]) stages.add(from[2]);
  }
  if (images.length === 0) {
    throw new HomefaasError(
      'ERR_DOCKERFILE_NO_FROM',
      'The Dockerfile of the build context has no FROM line.',
    );
  }
  return images;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: string[] = [];
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2');
}
