/** Options of `nx run <fn>:publish` (schema.json). */
export interface PublishExecutorSchema {
  dryRun?: boolean;
  skipDeploy?: boolean;
  platforms?: string | string[];
  tags?: string | string[];
  gateway?: string;
  /** Seconds. */
  readyTimeout?: number;
  /** Seconds. */
  registryTimeout?: number;
  contextPath?: string;
}
