import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { errorMessage, isHomefaasError, type Logger } from '@homefaas/core';
import {
  createRegistryClient,
  type ManifestHead,
  type RegistryAuth,
  type RegistryClient,
} from '@homefaas/registry-client';
import { computeContentTag, resolveBaseImages } from './content-tag';
import { bundleFunction } from './function-bundle';
import { buildAndPushImage, type ImageBuildRequest, resolveImageBuild } from './image-build';
import { formatImageName, type ResolvedPublish } from './publish-plan';
import { reportStep, type StepResult } from './step';

/** The image the deploy uses: the content-tagged reference, immutable for the same inputs. */
export interface PublishedImage {
  /** e.g. `docker-registry.home.lan:5000/hello-world:c-1a2b3c4d5e6f`. */
  ref: string;
  tag: string;
  /** Built and pushed by this run (false when the registry already had it). */
  pushed: boolean;
}

/** The build context, ready, and the tags the image gets. */
export interface ContentImage {
  /** What the build step found or did. */
  build: StepResult;
  /** `undefined` only on a dry run whose build context does not exist yet. */
  tag?: string;
  ref: string;
  /** Tags pushed besides the content tag (stack.yml's, the git sha, `--tags`). */
  others: string[];
  request: ImageBuildRequest;
}

/** Collaborators of {@link ensureImage}. */
export interface ImageDeps {
  logger: Logger;
  /** A client of the workspace registry, when the image lives there (so it can be looked up). */
  client?: RegistryClient;
  /** What each of `[tag, ...others]` holds now, when the caller already asked. */
  heads?: Array<ManifestHead | undefined>;
  build?: typeof buildAndPushImage;
}

/**
 * Makes sure the build context exists (bundled here when the build target did not run) and computes its
 * content tag. Writes nothing on a dry run.
 */
export async function prepareImage(
  resolved: Readonly<ResolvedPublish>,
  logger: Logger,
): Promise<ContentImage> {
  const shown = relative(resolved.root, resolved.contextDir);
  let build: StepResult;
  if (existsSync(join(resolved.contextDir, 'Dockerfile'))) {
    build = { name: 'build', changed: false, detail: `${shown} (the build target's output)` };
  } else if (resolved.dryRun) {
    build = { name: 'build', changed: true, detail: `${shown} is missing: would bundle ${resolved.name}` };
  } else {
    const bundled = await bundleFunction(resolved.bundle, resolved.contextDir, logger);
    build = {
      name: 'build',
      changed: true,
      detail: `bundled ${resolved.name} into ${shown} (${bundled.files.join(', ')})`,
    };
  }
  const request = resolveImageBuild(resolved.fn, resolved.imageOverrides);
  const dockerfile = await readFile(join(resolved.contextDir, 'Dockerfile'), 'utf8').catch(() => undefined);
  if (dockerfile === undefined) return { build, ref: resolved.fn.image, others: resolved.extraTags, request };
  const content = await computeContentTag({
    contextDir: resolved.contextDir,
    baseImages: resolveBaseImages(dockerfile, request.buildArgs),
    platforms: request.platforms,
    buildArgs: request.buildArgs,
  });
  return {
    build,
    tag: content.tag,
    ref: formatImageName(resolved.image, content.tag),
    others: resolved.extraTags.filter((tag) => tag !== content.tag),
    request,
  };
}

/** A client of the workspace registry that trusts our CA. */
export function workspaceRegistryClient(
  resolved: Readonly<ResolvedPublish>,
  caPem: string,
  auth: RegistryAuth | undefined,
): RegistryClient {
  return createRegistryClient({ baseUrl: `https://${resolved.registry.address}`, ca: caPem, auth });
}

/** What the content tag and each other tag hold in the registry, in one round trip. */
export function lookUpImage(
  client: RegistryClient,
  resolved: Readonly<ResolvedPublish>,
  content: ContentImage,
): Promise<Array<ManifestHead | undefined>> {
  // All at once: the registry checks the password (bcrypt) on every request.
  const tags = content.tag === undefined ? [] : [content.tag, ...content.others];
  return Promise.all(tags.map((tag) => client.headManifest(resolved.image.repository, tag)));
}

/**
 * Converges the image: unless the registry already has the content tag, the image is built for every
 * platform and pushed with its other tags in one buildx run. When it is there, only tags pointing elsewhere
 * (latest, the git sha) are moved to it through the registry API.
 */
export async function ensureImage(
  resolved: Readonly<ResolvedPublish>,
  content: ContentImage,
  deps: ImageDeps,
): Promise<PublishedImage> {
  const { logger, client } = deps;
  const { request, ref, others, tag } = content;
  if (tag === undefined) {
    reportStep(logger, {
      name: 'image',
      changed: true,
      detail: `would build and push ${ref} for ${request.platforms.join(', ')}`,
    });
    return { ref, tag: resolved.image.tag, pushed: false };
  }
  const [head, ...heads] = deps.heads ?? (client ? await lookUpImage(client, resolved, content) : []);
  if (client && head) {
    reportStep(logger, {
      name: 'image',
      changed: false,
      detail: `${ref} is in the registry: build and push skipped`,
    });
    const moved = await retag(client, resolved, tag, head.digest, others, heads);
    if (moved.length > 0) {
      reportStep(logger, {
        name: 'tags',
        changed: true,
        detail: `${resolved.dryRun ? 'would point' : 'pointed'} ${moved.join(', ')} at ${tag}`,
      });
    }
    return { ref, tag, pushed: false };
  }
  const why = client
    ? 'not in the registry'
    : `${resolved.image.registry} is not the workspace registry, so it is not looked up`;
  if (resolved.dryRun) {
    reportStep(logger, {
      name: 'image',
      changed: true,
      detail: `${ref} ${why}: would build for ${request.platforms.join(', ')} and push it with ${others.join(', ')}`,
    });
    return { ref, tag, pushed: false };
  }
  const build = deps.build ?? buildAndPushImage;
  const started = performance.now();
  try {
    await build(
      { ...request, image: ref, extraTags: others.map((other) => formatImageName(resolved.image, other)) },
      { logger, env: resolved.registry.commandEnv },
    );
  } catch (error) {
    // buildx can report an error after the push went through (seen as "failed to solve: not found" once
    // every manifest was pushed). The content tag names exactly this build, so the registry decides.
    const pushed =
      client &&
      isHomefaasError(error, 'ERR_IMAGE_BUILD') &&
      (await client.headManifest(resolved.image.repository, tag));
    if (!pushed) throw error;
    logger.warn(
      `buildx failed after pushing ${ref}, which the registry has: continuing (${errorMessage(error).split('\n')[1] ?? ''})`,
    );
    const now = await Promise.all(
      others.map((other) => client.headManifest(resolved.image.repository, other)),
    );
    await retag(client, resolved, tag, pushed.digest, others, now);
  }
  reportStep(logger, {
    name: 'image',
    changed: true,
    detail: `${ref} ${why}: built for ${request.platforms.join(', ')} and pushed with ${others.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  });
  return { ref, tag, pushed: true };
}

/**
 * Points each of `tags` at the manifest of `source` unless it already is (`heads`: what each tag holds now);
 * returns the tags it moved.
 */
async function retag(
  client: RegistryClient,
  resolved: Readonly<ResolvedPublish>,
  source: string,
  digest: string,
  tags: readonly string[],
  heads: ReadonlyArray<ManifestHead | undefined>,
): Promise<string[]> {
  const repository = resolved.image.repository;
  const stale = tags.filter((_, i) => heads[i]?.digest !== digest);
  if (stale.length === 0) return [];
  const manifest = await client.getManifest(repository, source);
  // Re-serialised bytes may differ from the pushed ones, and so may their digest: a tag already holding
  // exactly these bytes is up to date too.
  const body = JSON.stringify(manifest.manifest);
  const reserialized = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const moving = stale.filter((tag) => heads[tags.indexOf(tag)]?.digest !== reserialized);
  if (!resolved.dryRun) {
    for (const tag of moving) await client.putManifest(repository, tag, body, manifest.mediaType);
  }
  return moving;
}
