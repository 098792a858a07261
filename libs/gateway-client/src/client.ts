import type { FunctionDeployment } from '@homefaas/config';
import { HomefaasError } from '@homefaas/core';
import { createTransport, type GatewayResponse, type Transport } from './transport';
import type {
  DeployResult,
  FunctionStatus,
  GatewayClient,
  GatewayClientOptions,
  SecretInput,
  SystemInfo,
  WaitForReadyOptions,
} from './types';

export { DEFAULT_RETRY } from './transport';

const ACCEPTED = new Set([200, 202]);
const ALREADY_EXISTS = /already exists/i;
const PUBLIC_IMAGES_ONLY = /only allows public images/i;

/**
 * A client for the OpenFaaS gateway REST API over undici's fetch. With `ca`, that PEM is trusted in
 * addition to the public roots; certificate verification is never switched off. Connection errors and 5xx
 * answers are retried with backoff (bounded by `retry`); 4xx answers never are.
 * @see https://github.com/openfaas/faas-provider (routes and types)
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const transport = createTransport(options);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function getFunction(name: string, namespace?: string): Promise<FunctionStatus | undefined> {
    const response = await transport.send(
      'GET',
      `/system/function/${encodeURIComponent(name)}${query(namespace)}`,
    );
    if (response.status === 404) return undefined;
    return json<FunctionStatus>(transport, expectOk(transport, response, 'GET', `/system/function/${name}`));
  }

  return {
    url: transport.baseUrl,

    async info() {
      const response = expectOk(
        transport,
        await transport.send('GET', '/system/info'),
        'GET',
        '/system/info',
      );
      const info = json<SystemInfo>(transport, response);
      if (typeof info?.provider?.provider !== 'string') {
        throw new HomefaasError(
          'ERR_GATEWAY_HTTP',
          `Gateway answered /system/info without provider.provider: ${transport.excerpt(response.text)}`,
          {
            hint: 'Check that the URL points at an OpenFaaS gateway.',
          },
        );
      }
      return info;
    },

    async health() {
      const response = await transport.send('GET', '/healthz', { retry5xx: false });
      return response.status === 200;
    },

    getFunction,

    async listFunctions(namespace?: string) {
      const response = expectOk(
        transport,
        await transport.send('GET', `/system/functions${query(namespace)}`),
        'GET',
        '/system/functions',
      );
      // faas-provider answers `null` for an empty namespace.
      return json<FunctionStatus[] | null>(transport, response) ?? [];
    },

    async deploy(deployment: FunctionDeployment): Promise<DeployResult> {
      const put = await transport.send('PUT', '/system/functions', { body: deployment });
      if (ACCEPTED.has(put.status)) return { method: 'PUT', status: put.status };
      if (put.status !== 404) throw deployError(transport, put, 'PUT', deployment);
      const post = await transport.send('POST', '/system/functions', {
        body: deployment,
        noRetry: (status, text) => status === 500 && ALREADY_EXISTS.test(text),
      });
      if (ACCEPTED.has(post.status)) return { method: 'POST', status: post.status };
      throw deployError(transport, post, 'POST', deployment);
    },

    async listSecrets(namespace?: string) {
      const response = expectOk(
        transport,
        await transport.send('GET', `/system/secrets${query(namespace)}`),
        'GET',
        '/system/secrets',
      );
      const secrets = json<Array<{ name: string }> | null>(transport, response) ?? [];
      return secrets.map((secret) => secret.name);
    },

    async upsertSecret(secret: SecretInput) {
      const forget = transport.redactAlso(secret.value);
      try {
        const body = {
          name: secret.name,
          value: secret.value,
          ...(secret.namespace ? { namespace: secret.namespace } : {}),
        };
        const created = await transport.send('POST', '/system/secrets', { body });
        if (isSuccess(created.status)) return 'created';
        if (created.status !== 409) throw secretError(transport, created, 'POST', secret.name);
        const updated = await transport.send('PUT', '/system/secrets', { body });
        if (isSuccess(updated.status)) return 'updated';
        throw secretError(transport, updated, 'PUT', secret.name);
      } finally {
        forget();
      }
    },

    async waitForReady(name: string, wait: WaitForReadyOptions) {
      const deadline = Date.now() + wait.timeoutMs;
      let last: FunctionStatus | undefined;
      for (;;) {
        last = await getFunction(name, wait.namespace);
        wait.onProgress?.(last);
        if (last !== undefined && (last.availableReplicas ?? 0) > 0) return last;
        if (Date.now() + wait.intervalMs > deadline) break;
        await sleep(wait.intervalMs);
      }
      throw notReadyError(name, wait.timeoutMs, last, wait.namespace);
    },
  };
}

/** `ERR_GATEWAY_NOT_READY` for a function that had no available replica after `timeoutMs`. */
export function notReadyError(
  name: string,
  timeoutMs: number,
  last: FunctionStatus | undefined,
  namespace?: string,
): HomefaasError {
  const seen =
    last === undefined
      ? 'the gateway does not list it'
      : `replicas ${last.replicas ?? 0}, availableReplicas ${last.availableReplicas ?? 0}, image ${last.image}`;
  return new HomefaasError(
    'ERR_GATEWAY_NOT_READY',
    `Function ${name} was not ready after ${timeoutMs} ms (last seen: ${seen})`,
    {
      hint: `Look at why it does not start: faasd: journalctl -t openfaas-fn:${name}; Kubernetes: kubectl describe deploy/${name} -n ${namespace ?? 'openfaas-fn'} (an image pull error means the node lacks the registry CA or credentials: npx nx g node-trust).`,
    },
  );
}

function query(namespace: string | undefined): string {
  return namespace ? `?namespace=${encodeURIComponent(namespace)}` : '';
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function expectOk(
  transport: Transport,
  response: GatewayResponse,
  method: string,
  path: string,
): GatewayResponse {
  if (isSuccess(response.status)) return response;
  throw new HomefaasError(
    'ERR_GATEWAY_REJECTED',
    `Gateway answered ${response.status} to ${method} ${transport.baseUrl}${path}: ${transport.excerpt(response.text) || '(empty body)'}`,
    response.status === 404 ? { hint: 'Check that the URL points at an OpenFaaS gateway.' } : {},
  );
}

function json<T>(transport: Transport, response: GatewayResponse): T {
  try {
    return JSON.parse(response.text) as T;
  } catch (error) {
    throw new HomefaasError(
      'ERR_GATEWAY_HTTP',
      `Gateway answered ${response.status} with a body that is not JSON: ${transport.excerpt(response.text)}`,
      {
        hint: 'Check that the URL points at an OpenFaaS gateway, not another web server.',
        cause: error,
      },
    );
  }
}

function deployError(
  transport: Transport,
  response: GatewayResponse,
  method: string,
  deployment: FunctionDeployment,
) {
  const body = transport.excerpt(response.text) || '(empty body)';
  const what = `Gateway answered ${response.status} to ${method} /system/functions for ${deployment.service}: ${body}`;
  if (PUBLIC_IMAGES_ONLY.test(response.text)) {
    return new HomefaasError(
      'ERR_GATEWAY_PUBLIC_IMAGES_ONLY',
      `${what} (OpenFaaS Community Edition on Kubernetes deploys public images only, and ${deployment.image} needs registry credentials)`,
      {
        hint: 'Deploy to faasd (npx nx g node-trust --runtime faasd) or an OpenFaaS edition that supports private registries (npx nx g node-trust --runtime kubernetes).',
      },
    );
  }
  if (method === 'POST' && ALREADY_EXISTS.test(response.text)) {
    return new HomefaasError(
      'ERR_GATEWAY_FUNCTION_EXISTS',
      `${what} (the function appeared between the PUT that said it was missing and the POST)`,
      {
        hint: 'Another deploy of the same function ran at the same time; run the publish again.',
      },
    );
  }
  return new HomefaasError('ERR_GATEWAY_REJECTED', what, {
    hint:
      response.status === 400
        ? 'The gateway refused the deployment; its answer above says why (more than 15 functions on a Community Edition is one such limit).'
        : undefined,
  });
}

function secretError(transport: Transport, response: GatewayResponse, method: string, name: string) {
  return new HomefaasError(
    'ERR_GATEWAY_REJECTED',
    `Gateway answered ${response.status} to ${method} /system/secrets for secret ${name}: ${transport.excerpt(response.text) || '(empty body)'}`,
  );
}
