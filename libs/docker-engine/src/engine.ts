import type { Readable } from 'node:stream';
import { HomefaasError, type Logger, SILENT_LOGGER } from '@homefaas/core';
import type Dockerode from 'dockerode';
import { tarOfFile, untarTexts } from './container-files';
import {
  type ContainerSpec,
  type ContainerState,
  containerCreateOptions,
  containerDifferences,
  readContainerState,
} from './container-spec';
import { demuxDockerLogs } from './docker-logs';
import { apiError, isUnavailable, messageOf, statusOf, toEngineError } from './engine-errors';
import { defaultEngineSocket, engineGet } from './engine-socket';
import { assertImageReference } from './image-reference';

/** Collaborators of {@link createEngine}. */
export interface EngineOptions {
  /** The Engine API client; a `new Dockerode()` (DOCKER_HOST or /var/run/docker.sock) by default. */
  docker?: Dockerode;
  /**
   * Unix socket for the read-only probes (ping, inspect); by default the one dockerode would use, unless
   * `docker` is given (then everything goes through it).
   */
  socketPath?: string;
  logger?: Logger;
}

/** Input of {@link Engine.ensureRegistryContainer}. */
export interface EnsureContainerOptions {
  /** Replace a container that differs (its bind-mounted folders, and so the registry's data, stay). */
  recreate?: boolean;
  /** Restart a running container that matches, e.g. because a file it reads only at start changed. */
  restart?: string;
  /** Said after a difference, e.g. the command that recreates the container. */
  recreateHint?: string;
}

/** What an ensure step did: `changed` is false when it found everything in place. */
export interface EnsureResult {
  changed: boolean;
  detail: string;
}

/** What a command run inside a container did. */
export interface ExecResult {
  exitCode: number;
  /** stdout and stderr, in the order the command wrote them. */
  output: string;
}

/** The Docker Engine operations homefaas needs, with errors a person can act on. */
export interface Engine {
  /** Throws ERR_DOCKER_UNAVAILABLE (with how to start Docker) when the daemon does not answer. */
  ping(): Promise<void>;
  /** The container called `name`, or `undefined` when there is none. */
  inspectContainer(name: string): Promise<ContainerState | undefined>;
  /**
   * Converges the registry container: left alone when image, mounts and environment match; started when
   * stopped; created (pulling the image if needed) when missing; a container that differs is reported with
   * ERR_REGISTRY_CONTAINER_DIFFERS and never touched unless `recreate` is set.
   */
  ensureRegistryContainer(spec: ContainerSpec, options?: EnsureContainerOptions): Promise<EnsureResult>;
  /** The last `tail` lines the container wrote (stdout and stderr), for error messages. */
  containerLogs(name: string, tail?: number): Promise<string>;
  /** Stops a running container; no-op when it is already stopped or missing. */
  stopContainer(name: string): Promise<void>;
  /** Removes a container, stopping it first; no-op when it does not exist. Never removes volumes. */
  removeContainer(name: string): Promise<void>;
  /** Starts a stopped container; no-op when it is already running. */
  startContainer(name: string): Promise<void>;
  /** Stops and starts a container again (a process that reads its files only at start then rereads them). */
  restartContainer(name: string): Promise<void>;
  /**
   * Writes `content` to the absolute `path` inside the container (`docker cp`), creating missing folders;
   * the file gets `mode` (0644 by default).
   */
  copyFileToContainer(name: string, path: string, content: string, mode?: number): Promise<void>;
  /** The text of the file at the absolute `path` inside the container; `undefined` when there is none. */
  readContainerFile(name: string, path: string): Promise<string | undefined>;
  /** Runs `command` in the running container (`docker exec`) and waits for it to end. */
  execInContainer(name: string, command: readonly string[]): Promise<ExecResult>;
}

/**
 * The Docker Engine adapter (dockerode). Read-only probes go straight to the Engine API socket and dockerode
 * is loaded only when something must change, so a run that finds everything in place stays fast.
 */
export function createEngine(options: EngineOptions = {}): Engine {
  const logger = options.logger ?? SILENT_LOGGER;
  let client: Promise<Dockerode> | undefined = options.docker ? Promise.resolve(options.docker) : undefined;
  const docker = () => {
    client ??= import('dockerode').then((module) => new module.default());
    return client;
  };
  const socket = options.docker ? options.socketPath : (options.socketPath ?? defaultEngineSocket());
  /** Runs `action`, turning what fails into an error a person can act on. */
  const guard = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw toEngineError(what, error);
    }
  };
  /** Runs `action` with dockerode, loaded on first use. */
  const call = <T>(what: string, action: (docker: Dockerode) => Promise<T>): Promise<T> =>
    guard(what, async () => action(await docker()));

  const inspectContainer = (name: string): Promise<ContainerState | undefined> => {
    const what = `inspect container ${name}`;
    if (socket !== undefined) {
      return guard(what, async () => {
        const answer = await engineGet(socket, `/containers/${encodeURIComponent(name)}/json`);
        if (answer.status === 404) return undefined;
        if (answer.status !== 200) throw apiError(answer);
        return readContainerState(JSON.parse(answer.body) as Dockerode.ContainerInspectInfo);
      });
    }
    return call(what, async (d) => {
      try {
        return readContainerState(await d.getContainer(name).inspect());
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  };

  const removeContainer = (name: string) =>
    call(`remove container ${name}`, async (d) => {
      try {
        await d.getContainer(name).remove({ force: true, v: false });
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });

  const ensureImage = (image: string) =>
    call(`pull ${image}`, async (d) => {
      try {
        await d.getImage(image).inspect();
        return;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      logger.progress(`pulling ${image}`);
      try {
        const stream = await d.pull(image);
        await new Promise<void>((resolve, reject) => {
          d.modem.followProgress(
            stream,
            (error) => (error ? reject(error) : resolve()),
            (event: { status?: string; id?: string; progress?: string }) => {
              if (event.status)
                logger.progress(`  ${[event.id, event.status, event.progress].filter(Boolean).join(' ')}`);
            },
          );
        });
      } catch (error) {
        if (isUnavailable(error)) throw error;
        throw new HomefaasError(
          'ERR_DOCKER_IMAGE_UNAVAILABLE',
          `Image ${image} is not here and could not be pulled: ${messageOf(error)}`,
          {
            hint: `Pull or load it yourself (docker pull ${image}), or configure an image you have.`,
            cause: error,
          },
        );
      }
    });

  const createAndStart = (spec: ContainerSpec) =>
    call(`create container ${spec.name}`, async (d) => {
      const container = await d.createContainer(containerCreateOptions(spec));
      await container.start();
    });

  return {
    ping: () =>
      socket !== undefined
        ? guard('ping', async () => {
            const answer = await engineGet(socket, '/_ping');
            if (answer.status !== 200) throw apiError(answer);
          })
        : call('ping', async (d) => {
            await d.ping();
          }),
    inspectContainer,
    removeContainer,
    stopContainer: (name) =>
      call(`stop container ${name}`, async (d) => {
        try {
          await d.getContainer(name).stop();
        } catch (error) {
          // 304: already stopped; 404: no such container. Both mean "stopped".
          if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error;
        }
      }),
    startContainer: (name) =>
      call(`start container ${name}`, async (d) => {
        try {
          await d.getContainer(name).start();
        } catch (error) {
          // 304: already running.
          if (statusOf(error) !== 304) throw error;
        }
      }),
    restartContainer: (name) =>
      call(`restart container ${name}`, async (d) => {
        await d.getContainer(name).restart();
      }),
    copyFileToContainer: (name, path, content, mode) =>
      call(`copy ${path} into container ${name}`, async (d) => {
        await d.getContainer(name).putArchive(await tarOfFile(path.replace(/^\/+/, ''), content, mode), {
          path: '/',
        });
      }),
    readContainerFile: (name, path) =>
      call(`read ${path} in container ${name}`, async (d) => {
        let archive: NodeJS.ReadableStream;
        try {
          archive = await d.getContainer(name).getArchive({ path });
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
        const files = await untarTexts(archive as Readable);
        return files.values().next().value;
      }),
    execInContainer: (name, command) =>
      call(`run ${command.join(' ')} in container ${name}`, async (d) => {
        const exec = await d
          .getContainer(name)
          .exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true });
        const stream = await exec.start({ hijack: true, stdin: false });
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        await new Promise<void>((resolve, reject) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        });
        const result = await exec.inspect();
        return { exitCode: result.ExitCode ?? 1, output: demuxDockerLogs(Buffer.concat(chunks)) };
      }),
    containerLogs: (name, tail = 20) =>
      call(`read the logs of ${name}`, async (d) => {
        const raw = (await d
          .getContainer(name)
          .logs({ stdout: true, stderr: true, tail, follow: false })) as unknown;
        return demuxDockerLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
      }),

    async ensureRegistryContainer(spec, ensure = {}) {
      assertImageReference(spec.image, `The image of container ${spec.name}`);
      const actual = await inspectContainer(spec.name);
      if (!actual) {
        await ensureImage(spec.image);
        await createAndStart(spec);
        return {
          changed: true,
          detail: `created and started ${spec.name} (${spec.image}, ${networkOf(spec)})`,
        };
      }
      const differences = containerDifferences(spec, actual);
      if (differences.length > 0) {
        if (!ensure.recreate) {
          throw new HomefaasError(
            'ERR_REGISTRY_CONTAINER_DIFFERS',
            `Container ${spec.name} is not the expected registry: ${differences.join('; ')}. It was left as it is.`,
            {
              hint:
                ensure.recreateHint ??
                `Recreate it (its bind-mounted data is kept), or remove it with \`docker rm -f ${spec.name}\`.`,
            },
          );
        }
        await ensureImage(spec.image);
        await removeContainer(spec.name);
        await createAndStart(spec);
        return {
          changed: true,
          detail: `recreated ${spec.name} (${differences.join('; ')}); bind-mounted data kept`,
        };
      }
      if (actual.running && actual.status !== 'paused' && !ensure.restart) {
        return {
          changed: false,
          detail: `${spec.name} is running ${spec.image} with the expected mounts and environment`,
        };
      }
      return call(`start container ${spec.name}`, async (d) => {
        const container = d.getContainer(spec.name);
        if (actual.status === 'paused') {
          await container.unpause();
          return { changed: true, detail: `${spec.name} was paused: unpaused` };
        }
        if (!actual.running) {
          await container.start();
          return { changed: true, detail: `${spec.name} was ${actual.status}: started` };
        }
        await container.restart();
        return { changed: true, detail: `${spec.name} restarted: ${ensure.restart}` };
      });
    },
  };
}

function networkOf(spec: ContainerSpec): string {
  return spec.network === 'host' ? 'host network' : `ports ${spec.ports.join(', ')}`;
}
