import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@homefaas/core';
import { formatCommand, runCommand } from '@homefaas/docker-engine';
import { makeScratchDir } from '../common/scratch-dir';
import { type ImageBuildRequest, lastErrorLines } from './image-build';

/** One image of a bake run: its build request and the references it is pushed as. */
export interface BakeTarget {
  /** The function's name, which is also the bake target's name. */
  name: string;
  request: ImageBuildRequest;
  tags: readonly string[];
}

/** How a bake run ended, per target. */
export interface BakeResult {
  /** Targets buildx reported done, with the pushed manifest list's digest when it said. */
  digests: Map<string, string | undefined>;
  /** Targets whose own build steps failed, with buildx's error lines for each. */
  failed: Map<string, string>;
  /**
   * The run failed: exit code, the command (secrets masked), buildx's last error lines, and the registry's
   * 5xx answer when that is what stopped it ({@link registryServerError}).
   */
  error?: { exitCode: number; command: string; tail: string; registryServerError?: string | undefined };
}

/**
 * The bake file (JSON form, https://docs.docker.com/build/bake/reference/): one target per function, each
 * with its own context, platforms, build args, secrets and tags, all pushed to the registry.
 */
export function bakeDefinition(targets: readonly BakeTarget[]): object {
  const target: Record<string, object> = {};
  for (const { name, request, tags } of targets) {
    target[name] = {
      context: request.context,
      dockerfile: 'Dockerfile',
      platforms: [...request.platforms],
      tags: [...tags],
      args: { ...request.buildArgs },
      secret: Object.entries(request.buildSecrets).map(([id, src]) => `id=${id},src=${src}`),
      ...(request.network === undefined ? {} : { network: request.network }),
      output: ['type=registry'],
    };
  }
  return { group: { default: { targets: targets.map((t) => t.name) } }, target };
}

/**
 * Builds and pushes every target in one `docker buildx bake` run (BuildKit solves them side by side and
 * shares what they have in common). Provenance attestations are off: registry 2.x refuses the OCI index they
 * make. buildx's output streams live. When one target fails, buildx cancels the others: the result names the
 * targets whose own steps failed, so the caller can bake the rest again.
 */
export async function bake(
  targets: readonly BakeTarget[],
  options: { builder?: string; env: NodeJS.ProcessEnv; logger: Logger },
): Promise<BakeResult> {
  const dir = await makeScratchDir('bake');
  try {
    const file = join(dir, 'bake.json');
    const metadata = join(dir, 'metadata.json');
    await writeFile(file, `${JSON.stringify(bakeDefinition(targets), null, 2)}\n`);
    const args = [
      'buildx',
      'bake',
      ...(options.builder === undefined ? [] : ['--builder', options.builder]),
      '--file',
      file,
      '--progress=plain',
      '--metadata-file',
      metadata,
    ];
    options.logger.progress(`$ ${formatCommand('docker', args)}`);
    const result = await runCommand('docker', args, {
      cwd: dir,
      env: { ...options.env, BUILDX_NO_DEFAULT_ATTESTATIONS: '1' },
      logger: options.logger,
      prefix: '  │ ',
    });
    const digests = await readDigests(metadata);
    if (result.exitCode === 0) return { digests, failed: new Map() };
    return {
      digests,
      failed: failedTargets(result.output, new Set(targets.map((t) => t.name))),
      error: {
        exitCode: result.exitCode,
        command: result.command,
        tail: lastErrorLines(result.output),
        registryServerError: registryServerError(result.output),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Targets whose own steps failed, from buildx's plain progress: a step is announced as `#12 [name ...] ...`
 * and fails as `#12 ERROR: ...`. A step several targets share (their common base image) is announced by
 * each of them, and fails them all. Steps of other targets cancelled as a consequence say CANCELED, or
 * fail with an error that only says the run was torn down under them ({@link STOPPED_UNDER_IT}).
 */
export function failedTargets(output: string, names: ReadonlySet<string>): Map<string, string> {
  const stepTargets = new Map<string, Set<string>>();
  const failed = new Map<string, string>();
  for (const line of output.split('\n')) {
    const announced = /^#(\d+) \[([^\s\]]+)[\s\]]/.exec(line);
    if (announced?.[1] && announced[2] && names.has(announced[2])) {
      stepTargets.set(announced[1], (stepTargets.get(announced[1]) ?? new Set()).add(announced[2]));
    }
    const error = /^#(\d+) ERROR: (.*)$/.exec(line);
    if (error?.[2] === undefined || STOPPED_UNDER_IT.test(error[2])) continue;
    for (const target of (error[1] && stepTargets.get(error[1])) || []) {
      if (!failed.has(target)) failed.set(target, error[2]);
    }
  }
  return failed;
}

/**
 * Errors of a step that was still running when buildx stopped the run for another target's failure: its
 * push lost the session that lends it the registry credentials (`Unavailable: connection error ... only one
 * connection allowed`), or its context was cancelled.
 */
const STOPPED_UNDER_IT = /\bUnavailable: connection error\b|\bcontext canceled\b/;

/**
 * The registry's 5xx answer that stopped a bake, such as `500 Internal Server Error` on a manifest HEAD while
 * pushing, seen once from registry:2 on a loaded machine: a fault on the registry's side, not in the images.
 * Undefined when no push met one.
 */
export function registryServerError(output: string): string | undefined {
  return /^(?:#\d+ )?ERROR: .*\bunexpected status from \w+ request to \S+: (5\d\d\b.*)$/m
    .exec(output)?.[1]
    ?.trim();
}

async function readDigests(metadataFile: string): Promise<Map<string, string | undefined>> {
  const digests = new Map<string, string | undefined>();
  try {
    const metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
    for (const [name, value] of Object.entries(metadata)) {
      const digest = (value as Record<string, unknown> | null)?.['containerimage.digest'];
      if (value !== null && typeof value === 'object') {
        digests.set(name, typeof digest === 'string' ? digest : undefined);
      }
    }
  } catch {
    // No metadata: buildx stopped before writing it.
  }
  return digests;
}
