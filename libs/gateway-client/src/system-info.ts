import type { SystemInfo } from './types';

/**
 * True when the gateway runs faas-netes Community Edition, which refuses images that need registry
 * credentials ("the Community Edition license agreement only allows public images"). faas-netes CE reports
 * `provider: "faas-netes-ce"`, `orchestration: "kubernetes"` in `/system/info` (faas-netes
 * `pkg/handlers/info.go`). Paid editions report another provider name (the OpenFaaS operator / Pro build),
 * faasd reports `faasd-ce` or `faasd`, and releases from before the CE split report plain `faas-netes`
 * without the restriction, so only the exact CE name counts.
 */
export function isFaasNetesCe(info: SystemInfo): boolean {
  return info.provider.provider.trim().toLowerCase() === 'faas-netes-ce';
}
