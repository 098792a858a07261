import { createHash } from 'node:crypto';
import { type FunctionDeployment, toFunctionDeployment } from '@homefaas/config';
import { HomefaasError, type Logger } from '@homefaas/core';
import { type FunctionStatus, type GatewayClient, isFaasNetesCe } from '@homefaas/gateway-client';
import { ensureSecrets, readLocalSecrets } from './deploy-secrets';
import type { PublishedImage } from './publish-image';
import type { ResolvedPublish } from './publish-plan';
import { reportStep } from './step';

/** Annotation that fingerprints everything sent in a deployment, so an unchanged one is not sent again. */
export const DEPLOYMENT_HASH_ANNOTATION = 'com.homefaas.deployment';

/** Collaborators of {@link ensureDeployed}. */
export interface DeployDeps {
  client: GatewayClient;
  logger: Logger;
  /** The function as the gateway reports it, when the caller already asked (publish asks early, in parallel). */
  current?: Promise<FunctionStatus | undefined>;
}

/**
 * The deployment body for stack.yml's settings and `image`, with {@link DEPLOYMENT_HASH_ANNOTATION} set to
 * a fingerprint of the rest of the body.
 */
export function deploymentFor(resolved: Readonly<ResolvedPublish>, image: string): FunctionDeployment {
  const body = toFunctionDeployment(resolved.fn, image);
  const hash = createHash('sha256').update(stableJson(body)).digest('hex').slice(0, 16);
  return { ...body, annotations: { ...body.annotations, [DEPLOYMENT_HASH_ANNOTATION]: hash } };
}

/**
 * Converges the function on the gateway: skipped when it already runs `image` with the same settings and no
 * secret changed. Otherwise: a faas-netes Community Edition gateway with a private-registry image stops here
 * with the reason; secrets are sent; the deployment is PUT (POST when new); the function is read back and its
 * image compared (faas-netes CE answers a failed PUT with 200); then it waits, bounded, for a replica.
 */
export async function ensureDeployed(
  resolved: Readonly<ResolvedPublish>,
  image: PublishedImage,
  deps: DeployDeps,
): Promise<void> {
  const { client, logger } = deps;
  const namespace = resolved.fn.namespace;
  const deployment = deploymentFor(resolved, image.ref);
  const secretOptions = {
    names: resolved.fn.secrets,
    secretsDir: resolved.secretsDir,
    stateDir: resolved.stateDir,
    gatewayUrl: resolved.gateway.url,
    ...(namespace ? { namespace } : {}),
    root: resolved.root,
  };
  const local = resolved.fn.secrets.length > 0 ? await readLocalSecrets(secretOptions) : undefined;
  const current = await (deps.current ?? client.getFunction(resolved.name, namespace));
  const difference = describeDifference(current, deployment);
  if (difference === undefined && (local?.changed.length ?? 0) === 0) {
    reportStep(logger, {
      name: 'deploy',
      changed: false,
      detail: `${client.url} already runs ${image.ref} with these settings: deploy skipped`,
    });
    if (current && (current.availableReplicas ?? 0) > 0) {
      reportStep(logger, { name: 'ready', changed: false, detail: readyDetail(current) });
    } else if (resolved.dryRun) {
      reportStep(logger, {
        name: 'ready',
        changed: true,
        detail: `would wait up to ${resolved.readyTimeoutMs / 1000} s for an available replica`,
      });
    } else {
      await waitUntilReady(resolved, deps);
    }
    return;
  }
  const info = await client.info();
  if (isFaasNetesCe(info) && resolved.inWorkspaceRegistry) {
    throw new HomefaasError(
      'ERR_GATEWAY_CE_PRIVATE_IMAGE',
      `The gateway at ${client.url} runs OpenFaaS Community Edition on Kubernetes (faas-netes-ce), which deploys only public images, and ${image.ref} is in the private registry ${resolved.registry.address}. Nothing was deployed.`,
      {
        hint: 'Deploy to faasd instead (it pulls private images with its registry credentials: npx nx g node-trust --runtime faasd), or use an OpenFaaS edition that supports private registries (npx nx g node-trust --runtime kubernetes).',
      },
    );
  }
  if (local) {
    const secrets = await ensureSecrets(client, local, { ...secretOptions, dryRun: resolved.dryRun });
    reportStep(logger, secrets);
  }
  const why = difference ?? `secret ${local?.changed.join(', ')} changed`;
  if (resolved.dryRun) {
    reportStep(logger, {
      name: 'deploy',
      changed: true,
      detail: `would deploy ${image.ref} to ${client.url} (${why})`,
    });
    return;
  }
  const result = await client.deploy(deployment);
  reportStep(logger, {
    name: 'deploy',
    changed: true,
    detail: `${result.method} ${client.url}/system/functions answered ${result.status} (${why})`,
  });
  const after = await client.getFunction(resolved.name, namespace);
  if (after === undefined) {
    throw new HomefaasError(
      'ERR_DEPLOY_MISSING',
      `The gateway accepted ${result.method} /system/functions (${result.status}) for ${resolved.name}, but then does not list the function.`,
      {
        hint: "The provider failed after accepting it (faasd removes a function whose update fails): read the provider's log (faasd: journalctl -u faasd-provider), fix the cause, publish again.",
      },
    );
  }
  if (after.image !== image.ref) {
    const silent = result.method === 'PUT' && result.status === 200 && isFaasNetesCe(info);
    throw new HomefaasError(
      'ERR_DEPLOY_IMAGE_MISMATCH',
      `The gateway accepted ${result.method} /system/functions (${result.status}) for ${resolved.name}, but it runs ${after.image}, not ${image.ref}.${silent ? ' faas-netes Community Edition answers 200 and changes nothing when an update fails its checks.' : ''}`,
      {
        hint: `Read the gateway's and provider's logs for why the update was refused (Kubernetes: kubectl logs -n openfaas deploy/gateway -c faas-netes), fix it, then publish again.`,
      },
    );
  }
  await waitUntilReady(resolved, deps);
}

async function waitUntilReady(resolved: Readonly<ResolvedPublish>, deps: DeployDeps): Promise<void> {
  const started = Date.now();
  const status = await deps.client.waitForReady(resolved.name, {
    timeoutMs: resolved.readyTimeoutMs,
    intervalMs: resolved.readyIntervalMs,
    ...(resolved.fn.namespace ? { namespace: resolved.fn.namespace } : {}),
    onProgress: (seen) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      deps.logger.progress(
        seen === undefined
          ? `waiting for ${resolved.name} to appear (${seconds} s)`
          : `waiting for ${resolved.name}: ${seen.availableReplicas ?? 0} of ${seen.replicas ?? 0} replicas available (${seconds} s of at most ${resolved.readyTimeoutMs / 1000} s)`,
      );
    },
  });
  reportStep(deps.logger, { name: 'ready', changed: false, detail: readyDetail(status) });
}

function readyDetail(status: FunctionStatus): string {
  return `${status.name} has ${status.availableReplicas} available replica(s) running ${status.image}`;
}

/** Why `current` is not `wanted`; `undefined` when it already runs it with the same settings. */
function describeDifference(
  current: FunctionStatus | undefined,
  wanted: FunctionDeployment,
): string | undefined {
  if (current === undefined) return 'not deployed yet';
  if (current.image !== wanted.image) return `it runs ${current.image}`;
  const hash = current.annotations?.[DEPLOYMENT_HASH_ANNOTATION];
  if (hash === undefined) return 'its settings are not recorded on the gateway';
  if (hash !== wanted.annotations?.[DEPLOYMENT_HASH_ANNOTATION]) return 'its settings in stack.yml changed';
  return undefined;
}

/** JSON with object keys sorted, so equal bodies give equal text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
