import { createHash } from 'node:crypto';
import { type FunctionDeployment, type ResolvedFunction, toFunctionDeployment } from '@homefaas/config';
import type { FunctionStatus } from '@homefaas/gateway-client';

/** Annotation that fingerprints everything sent in a deployment, so an unchanged one is not sent again. */
export const DEPLOYMENT_HASH_ANNOTATION = 'com.homefaas.deployment';

/**
 * The deployment body for stack.yml's settings and `image`, with {@link DEPLOYMENT_HASH_ANNOTATION} set to
 * a fingerprint of the rest of the body.
 */
export function deploymentFor(fn: ResolvedFunction, image: string): FunctionDeployment {
  const body = toFunctionDeployment(fn, image);
  const hash = createHash('sha256').update(stableJson(body)).digest('hex').slice(0, 16);
  return { ...body, annotations: { ...body.annotations, [DEPLOYMENT_HASH_ANNOTATION]: hash } };
}

/** Why `current` is not `wanted`; `undefined` when it already runs it with the same settings. */
export function describeDifference(
  current: FunctionStatus | undefined,
  wanted: FunctionDeployment,
): string | undefined {
  if (current === undefined) return 'not deployed yet';
  if (current.image !== wanted.image)
    return `it runs ${current.image || 'an image the gateway does not report'}`;
  const hash = current.annotations?.[DEPLOYMENT_HASH_ANNOTATION];
  if (hash === undefined) return 'its settings are not recorded on the gateway';
  if (hash !== wanted.annotations?.[DEPLOYMENT_HASH_ANNOTATION]) return 'its settings in stack.yml changed';
  return undefined;
}

/** `hello-world has 1 available replica(s) running <image>`. */
export function readyDetail(status: FunctionStatus): string {
  return `${status.name} has ${status.availableReplicas} available replica(s) running ${status.image || '(image not reported)'}`;
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
