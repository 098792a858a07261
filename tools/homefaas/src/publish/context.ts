import { errorMessage, hintLine, isHomefaasError, type Logger } from '@homefaas/core';
import { createEngine, type Engine, runCommand } from '@homefaas/docker-engine';
import { createGatewayClient, type GatewayClient } from '@homefaas/gateway-client';
import { createRegistryClient, type RegistryAuth, type RegistryClient } from '@homefaas/registry-client';
import { readOptional } from '../common/read-optional';
import type { StepResult } from '../common/step';
import { type DockerCredentials, dockerLoginOptions, readDockerLogin } from '../registry/docker-login';
import { type FunctionState, initialStates } from './outcome';
import type { ResolvedRun } from './resolve';

/** Collaborators of a publish run; tests may replace the engine or the gateway client. */
export interface PublishDeps {
  logger: Logger;
  engine?: Engine;
  gateway?: (run: Readonly<ResolvedRun>, caPem: string | undefined, logger: Logger) => GatewayClient;
}

/**
 * What the steps of one run share: the resolved run, each function's state, and the clients, each made
 * once (the CA read once it exists, one registry client, one gateway client). Reports go through here so
 * each line also lands in its function's task output.
 */
export interface PublishContext {
  readonly run: Readonly<ResolvedRun>;
  readonly logger: Logger;
  readonly states: FunctionState[];
  /** Lines about the run as a whole (shared steps), part of every function's task output. */
  readonly sharedLines: string[];
  /** Set by the CA step: the registry certificate is missing or due, so the registry step must act. */
  certificateDue: boolean;
  /** The CA certificate, once it exists. */
  caPem(): Promise<string | undefined>;
  /** A client of the workspace registry, trusting our CA, with the registry user's credentials. */
  registry(): Promise<RegistryClient>;
  /** What Docker is logged in with for the workspace registry, read once per run. */
  dockerLogin(): Promise<DockerCredentials | undefined>;
  gateway(): Promise<GatewayClient>;
  engine(): Engine;
  report(result: StepResult, state?: FunctionState): void;
  warn(message: string, state?: FunctionState): void;
  /** Records the function's first error and reports it; later steps leave the function alone. */
  fail(state: FunctionState, step: string, error: unknown): void;
  /** A failure of the run as a whole (a shared step): reported once, recorded for every function left. */
  failAll(error: unknown): void;
  close(): Promise<void>;
}

/** Makes the context of a run. */
export function createPublishContext(run: Readonly<ResolvedRun>, deps: PublishDeps): PublishContext {
  const { logger } = deps;
  const sharedLines: string[] = [];
  let ca: string | undefined;
  let registry: Promise<RegistryClient> | undefined;
  let gateway: Promise<GatewayClient> | undefined;
  let login: Promise<DockerCredentials | undefined> | undefined;
  let engine = deps.engine;
  const say = (line: string, state?: FunctionState) => {
    (state ? state.lines : sharedLines).push(line);
  };
  const context: PublishContext = {
    run,
    logger,
    states: initialStates(run.functions),
    sharedLines,
    certificateDue: false,
    async caPem() {
      ca ??= await readOptional(run.registry.ca.certPath);
      return ca;
    },
    registry() {
      registry ??= (async () =>
        createRegistryClient({
          baseUrl: `https://${run.registry.address}`,
          ca: await context.caPem(),
          auth: await registryAuth(run, context),
        }))();
      return registry;
    },
    dockerLogin() {
      login ??= readDockerLogin(dockerLoginOptions(run.registry, runCommand));
      return login;
    },
    gateway() {
      gateway ??= (async () => {
        const caPem = await context.caPem();
        if (deps.gateway) return deps.gateway(run, caPem, logger);
        return createGatewayClient({
          url: run.gateway.url,
          logger,
          ...(run.gateway.auth ? { auth: run.gateway.auth } : {}),
          ...(caPem ? { ca: caPem } : {}),
        });
      })();
      return gateway;
    },
    engine() {
      engine ??= createEngine({ logger });
      return engine;
    },
    report(result, state) {
      const line = `${result.changed ? '↻' : '✔'} ${state ? `[${state.input.name}] ` : ''}${result.name}: ${result.detail}`;
      logger.info(line);
      say(line, state);
    },
    warn(message, state) {
      const line = `${state ? `[${state.input.name}] ` : ''}${message}`;
      logger.warn(line);
      say(`⚠ ${line}`, state);
    },
    fail(state, step, error) {
      if (state.error !== undefined) return;
      state.error = error;
      for (const line of errorLines(`[${state.input.name}] ${step}: `, error)) {
        logger.info(line);
        say(line, state);
      }
    },
    failAll(error) {
      for (const line of errorLines('', error)) {
        logger.info(line);
        say(line);
      }
      for (const state of context.states) state.error ??= error;
    },
    async close() {
      await (await registry?.catch(() => undefined))?.close();
    },
  };
  return context;
}

/** `✖ message` and, for our errors, `→ hint (code)`. */
export function errorLines(prefix: string, error: unknown): string[] {
  const lines = [`✖ ${prefix}${errorMessage(error)}`];
  if (isHomefaasError(error)) lines.push(hintLine(error));
  return lines;
}

/**
 * The registry user's password: REGISTRY_PASSWORD (or its file), else what Docker is logged in with; none
 * when neither has it (the registry then says it wants a login).
 */
async function registryAuth(
  run: Readonly<ResolvedRun>,
  context: PublishContext,
): Promise<RegistryAuth | undefined> {
  const password = await run.registry.secrets.registryPassword();
  if (password !== undefined) return { username: run.registry.user, password };
  return context.dockerLogin();
}
