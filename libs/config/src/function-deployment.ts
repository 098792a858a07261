import type { ResolvedFunction } from './stack-types';

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
 * Maps a resolved stack function onto the gateway body for `image`. Collections are always sent, empty or
 * not, because a PUT replaces the whole deployment: leaving one out would keep nothing anyway, and being
 * explicit makes the request readable in a log.
 */
export function toFunctionDeployment(fn: ResolvedFunction, image: string): FunctionDeployment {
  return {
    service: fn.name,
    image,
    ...(fn.namespace === undefined ? {} : { namespace: fn.namespace }),
    ...(fn.fprocess === undefined ? {} : { envProcess: fn.fprocess }),
    envVars: { ...fn.environment },
    constraints: [...fn.constraints],
    secrets: [...fn.secrets],
    labels: { ...fn.labels },
    annotations: { ...fn.annotations },
    ...(fn.limits === undefined ? {} : { limits: { ...fn.limits } }),
    ...(fn.requests === undefined ? {} : { requests: { ...fn.requests } }),
    readOnlyRootFilesystem: fn.readOnlyRootFilesystem,
  };
}
