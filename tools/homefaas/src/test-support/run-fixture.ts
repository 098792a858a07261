import { join } from 'node:path';
import type { ResolvedFunction } from '@homefaas/config';
import { createMemoryLogger } from '@homefaas/core';
import { createGatewayClient, type GatewayClient } from '@homefaas/gateway-client';
import { parseImageName } from '../image/image-name';
import { createPublishContext, type PublishContext } from '../publish/context';
import type { ResolvedFunctionPublish, ResolvedRun } from '../publish/resolve';
import type { ResolvedRegistrySettings } from '../registry/registry-settings';

/** The workspace registry of the fixtures. */
export const FIXTURE_REGISTRY = 'docker-registry.home.lan:5000';

/** A stack.yml function with the given settings. */
export function fixtureFunction(name: string, overrides: Partial<ResolvedFunction> = {}): ResolvedFunction {
  return {
    name,
    image: `${FIXTURE_REGISTRY}/${name}:latest`,
    environment: { GREETING: 'hi' },
    secrets: [],
    labels: { team: 'home' },
    annotations: {},
    constraints: [],
    readOnlyRootFilesystem: true,
    buildArgs: {},
    buildSecrets: {},
    platforms: ['linux/amd64'],
    skipBuild: false,
    copy: [],
    ...overrides,
  };
}

/** Input of {@link fixtureContext}. */
export interface FixtureOptions {
  root: string;
  gatewayUrl: string;
  password: string;
  functions: ResolvedFunction[];
  dryRun?: boolean;
  readyTimeoutMs?: number;
  /** Replaces the gateway client (to make it misbehave). */
  client?: (client: GatewayClient) => GatewayClient;
}

/**
 * A publish context whose functions already have their content-tagged reference (as after the image step):
 * for tests of the deploy and ready steps against the gateway double, with no registry or Docker.
 */
export function fixtureContext(options: FixtureOptions): PublishContext & { lines: string[] } {
  const logger = createMemoryLogger();
  const functions: ResolvedFunctionPublish[] = options.functions.map((fn) => ({
    name: fn.name,
    taskId: `${fn.name}:publish`,
    fn,
    image: parseImageName(fn.image),
    inWorkspaceRegistry: fn.image.startsWith(`${FIXTURE_REGISTRY}/`),
    contextDir: join(options.root, 'dist/functions', fn.name),
    extraTags: [],
    readyTimeoutMs: options.readyTimeoutMs ?? 3000,
  }));
  const run = {
    root: options.root,
    dryRun: options.dryRun ?? false,
    skipDeploy: false,
    mode: { runner: false, reason: 'test' },
    registry: {
      address: FIXTURE_REGISTRY,
      ca: { certPath: join(options.root, 'no-ca.pem') },
    } as ResolvedRegistrySettings,
    gateway: { url: options.gatewayUrl, urlSource: 'test', authSource: 'test' },
    secretsDir: join(options.root, 'infra/secrets'),
    stateDir: join(options.root, '.homefaas/state'),
    git: { dirty: false },
    readyIntervalMs: 20,
    functions,
    rejected: [],
  } as unknown as ResolvedRun;
  const context = createPublishContext(run, {
    logger,
    gateway: () => {
      const client = createGatewayClient({
        url: options.gatewayUrl,
        auth: { username: 'admin', password: options.password },
        retry: { attempts: 2, baseDelayMs: 5 },
        logger,
      });
      return options.client ? options.client(client) : client;
    },
  });
  for (const state of context.states) setRef(state, 'c-0123456789ab');
  return Object.assign(context, { lines: logger.lines });
}

/** Gives a function state the content tag `tag` (and its reference), as the bundle step would. */
export function setRef(state: PublishContext['states'][number], tag: string): void {
  state.tag = tag;
  state.ref = `${state.input.fn.image.replace(/:[^:/]+$/, '')}:${tag}`;
}
