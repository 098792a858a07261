import type { FunctionDeployment } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import {
  type FunctionStatus,
  type GatewayClient,
  isFaasNetesCe,
  type SystemInfo,
} from '@homefaas/gateway-client';
import type { PublishContext } from '../publish/context';
import { type FunctionState, live } from '../publish/outcome';
import { type PlanLine, perFunction, type Step } from '../publish/steps';
import { deploymentFor, describeDifference } from './deploy-function';
import {
  ensureSecrets,
  type LocalSecrets,
  type LocalSecretsOptions,
  readLocalSecrets,
} from './deploy-secrets';

/** Deploys sent at once: a gateway (and faasd on a small board) is not asked to start 31 at the same time. */
const DEPLOYS_AT_ONCE = 4;

/** A function to deploy: its body, why, and its secrets. */
interface PendingDeploy {
  state: FunctionState;
  deployment: FunctionDeployment;
  why: string;
  secrets?: { local: LocalSecrets; options: LocalSecretsOptions };
}

interface DeployPlan {
  pending: PendingDeploy[];
  info?: SystemInfo;
}

/**
 * The deployments: what the gateway runs is read once per namespace (`GET /system/functions`); a function
 * that runs its content-tagged image with the same settings and secrets is left alone. The others get their
 * secrets, then `PUT /system/functions` (`POST` when new), a few at a time, and are read back: an accepted
 * deploy that left another image (faas-netes CE answers a failed PUT with 200) fails that function.
 * faas-netes CE is recognised from `/system/info` before a private-registry image is sent to it.
 */
export const deployStep: Step<DeployPlan> = {
  name: 'deploy',
  async plan(context) {
    const states = live(context.states);
    if (context.run.skipDeploy) {
      for (const state of states) {
        state.deploy = 'skipped';
        state.ready = '-';
      }
      return {
        lines: states.map((state) => ({
          state,
          result: { name: 'deploy', changed: false, detail: 'skipped (--skipDeploy)' },
        })),
        work: false,
        data: { pending: [] },
      };
    }
    const client = await context.gateway();
    const running = await listRunning(client, states);
    const lines: PlanLine[] = [];
    const pending: PendingDeploy[] = [];
    await perFunction(context, states, 'deploy', states.length, async (state) => {
      const { fn } = state.input;
      const ref = state.ref ?? '';
      const deployment = deploymentFor(fn, ref);
      state.current = running.get(fn.namespace ?? '')?.get(state.input.name);
      const secrets = fn.secrets.length > 0 ? await localSecrets(context, state) : undefined;
      const difference = describeDifference(state.current, deployment);
      const changedSecrets = secrets?.local.changed ?? [];
      if (difference === undefined && changedSecrets.length === 0) {
        state.deploy = 'unchanged';
        const detail = `${client.url} already runs ${ref} with these settings: deploy skipped`;
        lines.push({ state, result: { name: 'deploy', changed: false, detail } });
        return;
      }
      const why = difference ?? `secret ${changedSecrets.join(', ')} changed`;
      state.deploy = 'would deploy';
      pending.push({ state, deployment, why, ...(secrets ? { secrets } : {}) });
      lines.push({
        state,
        result: { name: 'deploy', changed: true, detail: `would deploy ${ref} to ${client.url} (${why})` },
      });
    });
    const info = pending.length > 0 ? await client.info() : undefined;
    if (info && isFaasNetesCe(info)) {
      for (const { state } of pending.filter((p) => p.state.input.inWorkspaceRegistry)) {
        state.deploy = 'failed';
        context.fail(state, 'deploy', communityEditionError(client, state, context.run.registry.address));
      }
    }
    const left = pending.filter((p) => p.state.error === undefined);
    return {
      lines: lines.filter((line) => line.state?.error === undefined),
      work: left.length > 0,
      data: { pending: left, ...(info ? { info } : {}) },
    };
  },
  async apply(context, plan) {
    const client = await context.gateway();
    const byState = new Map(plan.pending.map((pending) => [pending.state, pending]));
    await perFunction(context, [...byState.keys()], 'deploy', DEPLOYS_AT_ONCE, async (state) => {
      const pending = byState.get(state) as PendingDeploy;
      state.deploy = 'failed';
      if (pending.secrets) {
        context.report(await ensureSecrets(client, pending.secrets.local, pending.secrets.options), state);
      }
      const result = await client.deploy(pending.deployment);
      context.report(
        {
          name: 'deploy',
          changed: true,
          detail: `${result.method} ${client.url}/system/functions answered ${result.status} (${pending.why})`,
        },
        state,
      );
      const after = await client.getFunction(state.input.name, state.input.fn.namespace);
      confirmImage(context, state, after, result, plan.info);
      state.deploy = 'deployed';
      state.current = after;
    });
  },
};

/** What the gateway runs, by namespace ('' for the provider's default) and name: one request per namespace. */
export async function listRunning(
  client: GatewayClient,
  states: readonly FunctionState[],
): Promise<Map<string, Map<string, FunctionStatus>>> {
  const namespaces = [...new Set(states.map((state) => state.input.fn.namespace ?? ''))];
  const lists = await Promise.all(
    namespaces.map((namespace) => client.listFunctions(namespace || undefined)),
  );
  return new Map(
    namespaces.map((namespace, i) => [namespace, new Map((lists[i] ?? []).map((fn) => [fn.name, fn]))]),
  );
}

async function localSecrets(context: PublishContext, state: FunctionState) {
  const { fn } = state.input;
  const options: LocalSecretsOptions = {
    names: fn.secrets,
    secretsDir: context.run.secretsDir,
    stateDir: context.run.stateDir,
    gatewayUrl: context.run.gateway.url,
    ...(fn.namespace ? { namespace: fn.namespace } : {}),
    root: context.run.root,
  };
  return { local: await readLocalSecrets(options), options };
}

/**
 * The function as read back must run the image just deployed. A provider that reports no image (some do)
 * gets a warning that it could not be confirmed, not a failure.
 */
function confirmImage(
  context: PublishContext,
  state: FunctionState,
  after: FunctionStatus | undefined,
  result: { method: string; status: number },
  info: SystemInfo | undefined,
): void {
  const { name } = state.input;
  if (after === undefined) {
    throw new HomefaasError(
      'ERR_DEPLOY_MISSING',
      `The gateway accepted ${result.method} /system/functions (${result.status}) for ${name}, but then does not list the function.`,
      {
        hint: "The provider failed after accepting it (faasd removes a function whose update fails): read the provider's log (faasd: journalctl -u faasd-provider), fix the cause, publish again.",
      },
    );
  }
  if (!after.image) {
    context.warn(
      `The gateway does not report which image ${name} runs, so ${state.ref} could not be confirmed (the provider leaves it empty).`,
      state,
    );
    return;
  }
  if (after.image !== state.ref) {
    const silent =
      result.method === 'PUT' && result.status === 200 && info !== undefined && isFaasNetesCe(info);
    throw new HomefaasError(
      'ERR_DEPLOY_IMAGE_MISMATCH',
      `The gateway accepted ${result.method} /system/functions (${result.status}) for ${name}, but it runs ${after.image}, not ${state.ref}.${silent ? ' faas-netes Community Edition answers 200 and changes nothing when an update fails its checks.' : ''}`,
      {
        hint: `Read the gateway's and provider's logs for why the update was refused (Kubernetes: kubectl logs -n openfaas deploy/gateway -c faas-netes), fix it, then publish again.`,
      },
    );
  }
}

function communityEditionError(client: GatewayClient, state: FunctionState, registry: string): HomefaasError {
  return new HomefaasError(
    'ERR_GATEWAY_PUBLIC_IMAGES_ONLY',
    `The gateway at ${client.url} runs OpenFaaS Community Edition on Kubernetes (faas-netes-ce), which deploys only public images, and ${state.ref} is in the private registry ${registry}. Nothing was deployed.`,
    {
      hint: 'Deploy to faasd instead (it pulls private images with its registry credentials: npx nx g node-trust --runtime faasd), or use an OpenFaaS edition that supports private registries (npx nx g node-trust --runtime kubernetes).',
    },
  );
}
