/** Options of `nx run infra:trust-builder` (schema.json). */
export interface TrustBuilderExecutorSchema {
  builder?: string;
  container?: string;
  dryRun?: boolean;
}
