import type { ResolvedFunction, StackResources } from './stack-types';

/** Memory and CPU of a deployment, as Kubernetes quantities. */
export interface ResourceLimits {
  memory?: string;
  cpu?: string;
}

/**
 * The body of `POST` / `PUT /system/functions` (faas-provider `types.FunctionDeployment`).
 * @see https://github.com/openfaas/faas-provider/blob/master/types/function_deployment.go
 */
export interface FunctionDeployment {
  service: string;
  image: string;
  namespace?: string;
  envProcess?: string;
  envVars?: Record<string, string>;
  constraints?: string[];
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  limits?: ResourceLimits;
  requests?: ResourceLimits;
  readOnlyRootFilesystem?: boolean;
}

/**
 * Maps a resolved stack function onto the gateway body for `image`, field for field as faas-cli's deploy
 * (`proxy/deploy.go`) writes it for the same stack.yml entry, so that deploying with either tool sets the same
 * things: `envProcess` is the function's or its template's `fprocess`; `envVars`, `constraints`, `secrets`
 * and an empty `namespace` are left out when empty (Go's `omitempty`); `labels` and `annotations` are always
 * sent, `{}` when empty (faas-cli sends pointers to maps); `limits` and `requests` only with a non-empty
 * memory or cpu, each left out when empty; `readOnlyRootFilesystem` only when true.
 */
export function toFunctionDeployment(fn: ResolvedFunction, image: string): FunctionDeployment {
  const limits = resources(fn.limits);
  const requests = resources(fn.requests);
  return {
    service: fn.name,
    image,
    ...(fn.namespace ? { namespace: fn.namespace } : {}),
    ...(fn.fprocess ? { envProcess: fn.fprocess } : {}),
    ...(Object.keys(fn.environment).length > 0 ? { envVars: { ...fn.environment } } : {}),
    ...(fn.constraints.length > 0 ? { constraints: [...fn.constraints] } : {}),
    ...(fn.secrets.length > 0 ? { secrets: [...fn.secrets] } : {}),
    labels: { ...fn.labels },
    annotations: { ...fn.annotations },
    ...(limits ? { limits } : {}),
    ...(requests ? { requests } : {}),
    ...(fn.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
  };
}

/** Memory and cpu that are set; `undefined` when neither is (faas-cli then sends no object). */
function resources(from: StackResources | undefined): ResourceLimits | undefined {
  const memory = from?.memory;
  const cpu = from?.cpu;
  if (!memory && !cpu) return undefined;
  return { ...(memory ? { memory } : {}), ...(cpu ? { cpu } : {}) };
}
