export type { FunctionDeployment, ResourceLimits } from '@homefaas/config';
export { createGatewayClient, DEFAULT_RETRY, notReadyError } from './client';
export { readFaasCliAuth } from './faas-cli-auth';
export { isFaasNetesCe } from './system-info';
export type {
  DeployResult,
  FunctionStatus,
  GatewayAuth,
  GatewayClient,
  GatewayClientOptions,
  RetryPolicy,
  SecretInput,
  SystemInfo,
  WaitForReadyOptions,
} from './types';
