import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import { readOptional } from '../common/read-optional';
import type { StepResult } from '../common/step';
import { writeFileAtomic } from '../common/write-file-atomic';
import { checkDaemonTrust } from '../registry/docker-trust';
import {
  certsDirName,
  formatBuildkitdConfig,
  missingCaReason,
  normalizePem,
  upsertRegistryCa,
} from './buildkitd-config';

/** The config buildx gives a `docker-container` builder created without `--buildkitd-config`. */
export const DEFAULT_BUILDKITD_CONFIG = 'buildkitd.default.toml';
/** The workspace's buildkitd config for the dedicated builder, relative to the root (committed). */
export const WORKSPACE_BUILDKITD_CONFIG = 'infra/buildkit/buildkitd.toml';

/** A buildx builder as buildx stores it in `<buildx dir>/instances/<name>`. */
export interface BuilderInstance {
  name: string;
  driver: string;
  nodes: Array<{ name: string; files: Record<string, string> }>;
}

/** Input of {@link ensureContainerBuilder}. */
export interface ContainerBuilderOptions {
  root: string;
  buildxDir: string;
  /** Builder name, `homefaas` by default in homefaas.json. */
  name: string;
  /** `host:port` of the registry. */
  registry: string;
  /** Workspace-relative path of the CA certificate. */
  caPath: string;
  caPem: string;
  /** Environment for `docker buildx` (carries BUILDX_CONFIG / DOCKER_CONFIG / DOCKER_HOST). */
  env?: NodeJS.ProcessEnv;
  dryRun?: boolean;
  logger?: Logger;
}

/**
 * buildx's config folder: `$BUILDX_CONFIG`, else `$DOCKER_CONFIG/buildx`, else `~/.docker/buildx`
 * (buildx `confutil.NewConfig`).
 */
export function resolveBuildxConfigDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  if (env.BUILDX_CONFIG) return env.BUILDX_CONFIG;
  return join(env.DOCKER_CONFIG || join(home, '.docker'), 'buildx');
}

/** Reads a builder from buildx's store; `undefined` when buildx has no builder of that name. */
export async function readBuilderInstance(
  buildxDir: string,
  name: string,
): Promise<BuilderInstance | undefined> {
  const path = join(buildxDir, 'instances', name.toLowerCase());
  const text = await readOptional(path);
  if (text === undefined) return undefined;
  let raw: {
    Name?: string;
    Driver?: string;
    Nodes?: Array<{ Name?: string; Files?: Record<string, string> | null }>;
  };
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HomefaasError(
      'ERR_BUILDER_STATE',
      `buildx's record of builder ${name} (${path}) is not JSON.`,
      {
        hint: `Remove the builder with \`docker buildx rm ${name}\`, then run again.`,
        cause: error,
      },
    );
  }
  return {
    name: raw.Name ?? name,
    driver: raw.Driver ?? '',
    // Go marshals []byte as base64.
    nodes: (raw.Nodes ?? []).map((node) => ({
      name: node.Name ?? '',
      files: Object.fromEntries(
        Object.entries(node.Files ?? {}).map(([key, value]) => [
          key,
          Buffer.from(value, 'base64').toString('utf8'),
        ]),
      ),
    })),
  };
}

/** Why `instance` would not trust `caPem` for `registry` when it builds; `undefined` when it would. */
export function builderTrustProblem(
  instance: BuilderInstance,
  registry: string,
  caPem: string,
): string | undefined {
  if (instance.driver !== 'docker-container') return `it uses the ${instance.driver || 'unknown'} driver`;
  if (instance.nodes.length === 0) return 'it has no nodes';
  for (const node of instance.nodes) {
    const reason = missingCaReason(node.files, registry, caPem);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/**
 * Writes the CA entry for `registry` into buildx's `buildkitd.default.toml`, so that any `docker-container`
 * builder created afterwards without a config of its own (faas-cli's `multiarch` is one) trusts the CA.
 * The CA is copied next to it, because buildx reads the file again whenever such a builder is created.
 */
export async function ensureDefaultBuildkitdConfig(options: {
  buildxDir: string;
  registry: string;
  caPem: string;
  dryRun?: boolean;
}): Promise<StepResult> {
  const configPath = join(options.buildxDir, DEFAULT_BUILDKITD_CONFIG);
  const caCopy = join(options.buildxDir, 'homefaas', certsDirName(options.registry), 'ca.pem');
  const currentConfig = await readOptional(configPath);
  const currentCa = await readOptional(caCopy);
  const caChanged = currentCa === undefined || normalizePem(currentCa) !== normalizePem(options.caPem);
  const { text, changed: configChanged } = upsertRegistryCa(currentConfig ?? '', options.registry, caCopy);
  const name = 'buildkitd default config';
  if (!caChanged && !configChanged) {
    return { name, changed: false, detail: `${configPath} trusts the CA for ${options.registry}` };
  }
  if (!options.dryRun) {
    if (caChanged) await writeFileAtomic(caCopy, options.caPem, { mode: 0o644 });
    if (configChanged) await writeFileAtomic(configPath, text, { mode: 0o644 });
  }
  const what = [
    caChanged ? `copied the CA to ${caCopy}` : '',
    configChanged ? `added it to ${configPath}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { name, changed: true, detail: `${options.dryRun ? 'would have ' : ''}${what}` };
}

/**
 * Writes `infra/buildkit/buildkitd.toml` with `[registry."host:port"] ca = [...]`. The CA path is relative to
 * that folder (so the committed file holds no machine path); buildx is always run from there to read it.
 */
export async function ensureWorkspaceBuildkitdConfig(options: {
  root: string;
  registry: string;
  caPath: string;
  dryRun?: boolean;
}): Promise<StepResult> {
  const path = join(options.root, WORKSPACE_BUILDKITD_CONFIG);
  const caRelative = relative(join(options.root, 'infra/buildkit'), join(options.root, options.caPath));
  const current = await readOptional(path);
  const next =
    current === undefined
      ? {
          text: formatBuildkitdConfig(
            [{ registry: options.registry, caPaths: [caRelative] }],
            [
              'BuildKit settings of the homefaas builder (docker buildx create --buildkitd-config).',
              'Paths are relative to this folder: run docker buildx create from here.',
            ],
          ),
          changed: true,
        }
      : upsertRegistryCa(current, options.registry, caRelative);
  const name = 'buildkitd config';
  if (!next.changed) return { name, changed: false, detail: `${WORKSPACE_BUILDKITD_CONFIG} trusts the CA` };
  if (!options.dryRun) await writeFileAtomic(path, next.text, { mode: 0o644 });
  return {
    name,
    changed: true,
    detail: `${options.dryRun ? 'would write' : 'wrote'} ${WORKSPACE_BUILDKITD_CONFIG} with the CA for ${options.registry}`,
  };
}

/** The `docker buildx create` arguments for the dedicated builder (run with the cwd `infra/buildkit`). */
export function builderCreateArgs(name: string): string[] {
  return [
    'buildx',
    'create',
    '--name',
    name,
    '--driver',
    'docker-container',
    '--buildkitd-config',
    'buildkitd.toml',
  ];
}

/**
 * Converges the dedicated `docker-container` builder: created with the workspace buildkitd config when
 * missing; removed and created again when buildx's stored copy of its config lacks the CA (editing the file
 * alone would do nothing: buildx reads it only at creation). The user's current builder is not changed.
 */
export async function ensureContainerBuilder(options: ContainerBuilderOptions): Promise<StepResult[]> {
  const logger = options.logger ?? SILENT_LOGGER;
  const config = await ensureWorkspaceBuildkitdConfig(options);
  const instance = await readBuilderInstance(options.buildxDir, options.name);
  const problem = instance && builderTrustProblem(instance, options.registry, options.caPem);
  const name = `builder ${options.name}`;
  if (instance && problem === undefined) {
    return [
      config,
      { name, changed: false, detail: `docker-container builder; its stored config trusts the CA` },
    ];
  }
  const why = instance ? `recreated because ${problem}` : 'created';
  if (options.dryRun) return [config, { name, changed: true, detail: `would be ${why}` }];
  const docker = (args: string[], cwd?: string) =>
    runCommand('docker', args, { cwd, env: options.env, logger, prefix: '[buildx] ' });
  if (instance) {
    const removed = await docker(['buildx', 'rm', options.name]);
    if (removed.exitCode !== 0)
      throw buildxFailed(`remove builder ${options.name}`, removed.command, removed.output);
  }
  const created = await docker(builderCreateArgs(options.name), join(options.root, 'infra/buildkit'));
  if (created.exitCode !== 0)
    throw buildxFailed(`create builder ${options.name}`, created.command, created.output);
  const stored = await readBuilderInstance(options.buildxDir, options.name);
  const left = stored
    ? builderTrustProblem(stored, options.registry, options.caPem)
    : 'buildx did not record it';
  if (left !== undefined) {
    throw new HomefaasError('ERR_BUILDER_TRUST', `Builder ${options.name} was created but ${left}.`, {
      hint: `Check ${WORKSPACE_BUILDKITD_CONFIG} and that buildx reads the config dir ${options.buildxDir}.`,
    });
  }
  return [config, { name, changed: true, detail: `${why}, with ${WORKSPACE_BUILDKITD_CONFIG}` }];
}

function buildxFailed(what: string, command: string, output: string): HomefaasError {
  return new HomefaasError(
    'ERR_BUILDER_CREATE',
    `Could not ${what}: \`${command}\` failed: ${output.trim()}`,
    {
      hint: 'Check that Docker is running and buildx is installed (`docker buildx version`).',
    },
  );
}

/** Input of {@link ensureBuilderTrust}. */
export interface BuilderTrustOptions {
  root: string;
  driver: 'docker' | 'docker-container';
  name: string;
  buildxDir: string;
  registry: string;
  caPath: string;
  caPem: string;
  /** Where the daemon's trust of the registry lives (`/etc/docker/certs.d`), for the report. */
  daemonCertsDir: string;
  env?: NodeJS.ProcessEnv;
  dryRun?: boolean;
  logger?: Logger;
}

/**
 * The builder-trust step of publish, for either buildx driver. `docker`: BuildKit inside dockerd uses the
 * daemon's certs.d, which the registry step ensures. `docker-container`: the dedicated builder, see
 * {@link ensureContainerBuilder}.
 */
export async function ensureBuilderTrust(options: BuilderTrustOptions): Promise<StepResult[]> {
  if (options.driver === 'docker') return [await dockerDriverTrust(options)];
  return ensureContainerBuilder(options);
}

/**
 * The docker driver's trust is the daemon's certs.d file. A real run comes here after the registry step
 * wrote it; a dry run skipped that step, so it compares the file with the CA itself rather than promise ✔.
 */
async function dockerDriverTrust(options: BuilderTrustOptions): Promise<StepResult> {
  const name = 'builder trust';
  const file = join(options.daemonCertsDir, options.registry, 'ca.crt');
  const trusted = `driver docker: BuildKit in dockerd trusts ${options.registry} through ${file}`;
  if (!options.dryRun) return { name, changed: false, detail: trusted };
  const check = await checkDaemonTrust({
    certsDir: options.daemonCertsDir,
    address: options.registry,
    caPem: options.caPem,
    caDisplayPath: options.caPath,
  });
  if (check.ok) return { name, changed: false, detail: trusted };
  return {
    name,
    changed: true,
    detail: `driver docker: BuildKit in dockerd would trust ${options.registry} once the registry step writes our CA to ${file} (${check.detail})`,
  };
}
