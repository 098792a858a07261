import { PassThrough, type Readable } from 'node:stream';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import type Dockerode from 'dockerode';
import { extract, pack } from 'tar-stream';
import type { StepResult } from '../common/step';
import { normalizePem } from './buildkitd-config';

/** Where the CA goes inside the builder container (Debian's and Alpine's local CA folder). */
export const CONTAINER_CA_FILE = '/usr/local/share/ca-certificates/homefaas-ca.crt';
/** The bundle `update-ca-certificates` writes and Go's TLS reads inside the container. */
export const CONTAINER_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Input of {@link ensureContainerTrustsCa}. */
export interface ContainerTrustOptions {
  docker: Dockerode;
  /** Container name, e.g. `buildx_buildkit_multiarch0`. */
  container: string;
  caPem: string;
  dryRun?: boolean;
  logger?: Logger;
}

/**
 * Makes a running BuildKit container trust the CA the way people do it by hand: copy it into the OS store,
 * run `update-ca-certificates`, restart (Go reads the store once at start), then check the bundle. It lasts
 * across restarts but not across `docker buildx rm` or recreation: callers say so.
 */
export async function ensureContainerTrustsCa(options: ContainerTrustOptions): Promise<StepResult> {
  const logger = options.logger ?? SILENT_LOGGER;
  const name = `container ${options.container}`;
  const container = options.docker.getContainer(options.container);
  const info = await inspect(container, options.container);
  if (!info.State.Running) {
    if (options.dryRun) return { name, changed: true, detail: 'stopped; would start it and install the CA' };
    logger.progress(`starting ${options.container}`);
    await dockerCall(() => container.start(), `start ${options.container}`);
  }
  if (await bundleHasCa(container, options.caPem)) {
    return { name, changed: false, detail: `${CONTAINER_CA_BUNDLE} already holds the CA` };
  }
  if (options.dryRun) return { name, changed: true, detail: 'would install the CA and restart it' };
  await dockerCall(
    async () => container.putArchive(await tarOf(CONTAINER_CA_FILE.slice(1), options.caPem), { path: '/' }),
    `copy the CA into ${options.container}`,
  );
  const update = await execIn(container, ['update-ca-certificates']);
  if (update.exitCode !== 0) {
    throw new HomefaasError(
      'ERR_BUILDER_CA_UPDATE',
      `update-ca-certificates failed in ${options.container} (exit ${update.exitCode}): ${update.output.trim()}`,
      {
        hint: 'The builder image lacks the ca-certificates tools: recreate the builder with a buildkitd config instead (npx nx run <fn>:publish with builder.driver docker-container).',
      },
    );
  }
  logger.progress(`restarting ${options.container}`);
  await dockerCall(() => container.restart(), `restart ${options.container}`);
  if (!(await bundleHasCa(container, options.caPem))) {
    throw new HomefaasError(
      'ERR_BUILDER_CA_VERIFY',
      `${CONTAINER_CA_BUNDLE} in ${options.container} still lacks the CA.`,
      {
        hint: 'Recreate the builder with a buildkitd config that names the CA (docker buildx create --buildkitd-config).',
      },
    );
  }
  return {
    name,
    changed: true,
    detail: `installed the CA into ${CONTAINER_CA_FILE}, updated the store, restarted`,
  };
}

/** The first of `names` that exists as a container; `undefined` when none does. */
export async function findContainer(
  docker: Dockerode,
  names: readonly string[],
): Promise<string | undefined> {
  for (const candidate of names) {
    try {
      await docker.getContainer(candidate).inspect();
      return candidate;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) continue;
      throw dockerUnavailable(error, `inspect ${candidate}`);
    }
  }
  return undefined;
}

async function bundleHasCa(container: Dockerode.Container, caPem: string): Promise<boolean> {
  const bundle = await readFileFrom(container, CONTAINER_CA_BUNDLE);
  if (bundle === undefined) return false;
  return normalizePem(bundle).includes(pemBody(caPem));
}

/** The base64 body of a PEM certificate, one line, to find it in a bundle however the bundle wraps lines. */
function pemBody(pem: string): string {
  return normalizePem(pem)
    .split('\n')
    .filter((line) => !line.startsWith('-----'))
    .join('\n');
}

async function readFileFrom(container: Dockerode.Container, path: string): Promise<string | undefined> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await container.getArchive({ path });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw dockerUnavailable(error, `read ${path}`);
  }
  const files = await untar(archive as Readable);
  return files.values().next().value;
}

function untar(stream: Readable): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, string>();
    const reader = extract();
    reader.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      body.on('end', () => {
        if (header.type === 'file') files.set(header.name, Buffer.concat(chunks).toString('utf8'));
        next();
      });
      body.resume();
    });
    reader.on('finish', () => resolve(files));
    reader.on('error', reject);
    stream.on('error', reject);
    stream.pipe(reader);
  });
}

async function tarOf(path: string, content: string): Promise<Buffer> {
  const archive = pack();
  const parts = path.split('/');
  // Directory entries first, so the copy works even where the folder does not exist yet.
  for (let i = 1; i < parts.length; i++) {
    archive.entry({ name: `${parts.slice(0, i).join('/')}/`, type: 'directory', mode: 0o755 });
  }
  archive.entry({ name: path, mode: 0o644 }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function execIn(
  container: Dockerode.Container,
  cmd: string[],
): Promise<{ exitCode: number; output: string }> {
  const exec = await dockerCall(
    () => container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true }),
    `run ${cmd.join(' ')}`,
  );
  const stream = await exec.start({ hijack: true, stdin: false });
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  container.modem.demuxStream(stream, output, output);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const result = await exec.inspect();
  return { exitCode: result.ExitCode ?? 1, output: Buffer.concat(chunks).toString('utf8') };
}

async function inspect(
  container: Dockerode.Container,
  name: string,
): Promise<Dockerode.ContainerInspectInfo> {
  try {
    return await container.inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) {
      throw new HomefaasError('ERR_BUILDER_CONTAINER_MISSING', `There is no container named ${name}.`, {
        hint: 'Start the builder once (docker buildx inspect --bootstrap <builder>), or name its container with --container.',
      });
    }
    throw dockerUnavailable(error, `inspect ${name}`);
  }
}

async function dockerCall<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw dockerUnavailable(error, what);
  }
}

function dockerUnavailable(error: unknown, what: string): HomefaasError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES') {
    return new HomefaasError(
      'ERR_DOCKER_UNAVAILABLE',
      `Could not ${what}: the Docker daemon does not answer (${code}).`,
      {
        hint: 'Start Docker (or point DOCKER_HOST at a running daemon), then run again.',
        cause: error,
      },
    );
  }
  return new HomefaasError('ERR_DOCKER_FAILED', `Could not ${what}: ${(error as Error).message}`, {
    cause: error,
  });
}
