import type { FunctionDeployment } from '@homefaas/config';
import type { Logger } from '@homefaas/core';

/** `GET /system/info` (faas-provider `types.ProviderInfo` inside the gateway's `GatewayInfo`). */
export interface SystemInfo {
  provider: {
    /** `faasd-ce`, `faas-netes-ce`, `faasd` / `faasd-pro`, `openfaas-operator`, ... */
    provider: string;
    /** `containerd` for faasd, `kubernetes` for faas-netes. */
    orchestration: string;
    version?: { sha?: string; release?: string };
  };
  version?: { sha?: string; release?: string; commit_message?: string };
  arch?: string;
}

/**
 * `GET /system/function/{name}` (faas-provider `types.FunctionStatus`): the deployment as the gateway holds
 * it, under `name` instead of `service`, plus its live state.
 */
export interface FunctionStatus extends Omit<FunctionDeployment, 'service'> {
  name: string;
  replicas?: number;
  availableReplicas?: number;
  invocationCount?: number;
  createdAt?: string;
  usage?: { cpu?: number; totalMemoryBytes?: number };
}

/** Basic-auth credentials of the gateway (`admin` by default). */
export interface GatewayAuth {
  username: string;
  password: string;
}

/** Bounded retries: `attempts` counts the first try; delays double from `baseDelayMs`. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

/** Options of {@link createGatewayClient}. */
export interface GatewayClientOptions {
  /** Gateway base URL, e.g. `https://gw.home.lan:8080`. */
  url: string;
  auth?: GatewayAuth;
  /** PEM of a CA to trust in addition to the system store (our private CA). Verification stays on. */
  ca?: string;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  logger?: Logger;
  /** Waits between retries; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
}

/** Result of {@link GatewayClient.deploy}: which call the gateway accepted, and its status. */
export interface DeployResult {
  method: 'PUT' | 'POST';
  status: number;
}

/** A secret to create or update; `value` never appears in errors or logs. */
export interface SecretInput {
  name: string;
  value: string;
  namespace?: string;
}

/** Options of {@link GatewayClient.waitForReady}. */
export interface WaitForReadyOptions {
  timeoutMs: number;
  intervalMs: number;
  namespace?: string;
  onProgress?: (status: FunctionStatus | undefined) => void;
}

/** The OpenFaaS gateway REST API, as much of it as a deploy needs. */
export interface GatewayClient {
  readonly url: string;
  info(): Promise<SystemInfo>;
  /** `GET /healthz`: true on 200, false on any other answer; throws only when unreachable. */
  health(): Promise<boolean>;
  /** `undefined` when the gateway answers 404. */
  getFunction(name: string, namespace?: string): Promise<FunctionStatus | undefined>;
  /** `GET /system/functions`: every function in `namespace` (the provider's default when omitted), in one call. */
  listFunctions(namespace?: string): Promise<FunctionStatus[]>;
  /** PUT, then POST when the function does not exist; only 200 and 202 mean accepted. */
  deploy(deployment: FunctionDeployment): Promise<DeployResult>;
  /** Names of the secrets in `namespace` (the provider's default when omitted). */
  listSecrets(namespace?: string): Promise<string[]>;
  /** POST, then PUT when the gateway answers 409 (it exists). */
  upsertSecret(secret: SecretInput): Promise<'created' | 'updated'>;
  /** Polls until `availableReplicas > 0`; throws `ERR_GATEWAY_NOT_READY` after `timeoutMs`. */
  waitForReady(name: string, options: WaitForReadyOptions): Promise<FunctionStatus>;
}
