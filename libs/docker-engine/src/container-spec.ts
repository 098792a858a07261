import { resolve } from 'node:path';
import type Dockerode from 'dockerode';

/** A host folder or file bind-mounted into a container. */
export interface BindMount {
  /** Absolute host path. */
  source: string;
  /** Path inside the container. */
  target: string;
  readOnly: boolean;
}

/** The container homefaas wants: what {@link containerDifferences} compares and `ensureRegistryContainer` creates. */
export interface ContainerSpec {
  name: string;
  image: string;
  /** Variables the container must have with exactly these values; others (the image's PATH...) are ignored. */
  env: Readonly<Record<string, string>>;
  mounts: readonly BindMount[];
  /** `host` shares the host's network (Linux); `bridge` publishes `ports` on the same host port numbers. */
  network: 'host' | 'bridge';
  /** TCP ports published when `network` is `bridge`. */
  ports: readonly number[];
  labels?: Readonly<Record<string, string>>;
}

/** What an existing container is, read from `docker inspect`. */
export interface ContainerState {
  id: string;
  name: string;
  /** The image reference it was created from, as given (`registry:2`). */
  image: string;
  /** `running`, `exited`, `created`, `paused`, `restarting`, `dead`. */
  status: string;
  running: boolean;
  exitCode: number;
  env: Record<string, string>;
  /** Bind mounts and volumes, by target. */
  mounts: Array<BindMount & { type: string }>;
  networkMode: string;
  restartPolicy: string;
}

/** Reads the parts homefaas compares from a `docker inspect` answer. */
export function readContainerState(info: Dockerode.ContainerInspectInfo): ContainerState {
  const env: Record<string, string> = {};
  for (const entry of info.Config?.Env ?? []) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config?.Image ?? info.Image,
    status: info.State.Status,
    running: info.State.Running,
    exitCode: info.State.ExitCode,
    env,
    mounts: (info.Mounts ?? []).map((mount) => ({
      type: mount.Type,
      source: mount.Source,
      target: mount.Destination,
      readOnly: !mount.RW,
    })),
    networkMode: info.HostConfig?.NetworkMode ?? '',
    restartPolicy: info.HostConfig?.RestartPolicy?.Name ?? '',
  };
}

/**
 * Why an existing container is not the one wanted, one sentence per difference; empty when image, mounts and
 * the wanted environment all match. Network and restart policy are not compared: a container started with
 * `docker compose up` (published ports) serves the registry just as well as ours (host network).
 */
export function containerDifferences(wanted: ContainerSpec, actual: ContainerState): string[] {
  const differences: string[] = [];
  if (actual.image !== wanted.image) {
    differences.push(`image is ${actual.image}, expected ${wanted.image}`);
  }
  const actualByTarget = new Map(actual.mounts.map((mount) => [mount.target, mount]));
  for (const mount of wanted.mounts) {
    const found = actualByTarget.get(mount.target);
    if (!found) {
      differences.push(`${mount.target} is not mounted, expected ${describeMount(mount)}`);
    } else if (found.type !== 'bind' || resolve(found.source) !== resolve(mount.source)) {
      differences.push(
        `${mount.target} comes from ${found.source || `a ${found.type}`}, expected ${mount.source}`,
      );
    } else if (found.readOnly !== mount.readOnly) {
      differences.push(`${mount.target} is ${access(found.readOnly)}, expected ${access(mount.readOnly)}`);
    }
  }
  const wantedTargets = new Set(wanted.mounts.map((mount) => mount.target));
  for (const mount of actual.mounts) {
    // Anonymous volumes come from the image's VOLUME lines; an extra bind is someone's configuration.
    if (mount.type === 'bind' && !wantedTargets.has(mount.target)) {
      differences.push(`${mount.target} is mounted from ${mount.source}, which is not expected`);
    }
  }
  for (const [key, value] of Object.entries(wanted.env)) {
    const found = actual.env[key];
    if (found === undefined) differences.push(`environment ${key} is not set, expected ${value}`);
    else if (found !== value) differences.push(`environment ${key} is ${found}, expected ${value}`);
  }
  return differences;
}

/** The Engine API body that creates the container `spec` describes, restarted always (as the compose file says). */
export function containerCreateOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const portKeys = spec.ports.map((port) => `${port}/tcp`);
  const bridge = spec.network === 'bridge';
  return {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...spec.labels },
    ...(bridge ? { ExposedPorts: Object.fromEntries(portKeys.map((key) => [key, {}])) } : {}),
    HostConfig: {
      NetworkMode: spec.network,
      RestartPolicy: { Name: 'always' },
      Mounts: spec.mounts.map((mount) => ({
        Type: 'bind' as const,
        Source: mount.source,
        Target: mount.target,
        ReadOnly: mount.readOnly,
      })),
      ...(bridge
        ? {
            PortBindings: Object.fromEntries(
              spec.ports.map((port) => [`${port}/tcp`, [{ HostIp: '', HostPort: String(port) }]]),
            ),
          }
        : {}),
    },
  };
}

function describeMount(mount: BindMount): string {
  return `${mount.source} (${access(mount.readOnly)})`;
}

function access(readOnly: boolean): string {
  return readOnly ? 'read-only' : 'read-write';
}
