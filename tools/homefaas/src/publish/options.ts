/** The options of the publish executor (schema.json); the same for one function and for a batch. */
export interface PublishOptions {
  /** Print the plan of every step and change nothing. */
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
  /**
   * Publish from a machine that does not own the CA or run the registry (CI): never create a CA, never start
   * or change a registry, never ask for the CA passphrase. Also `HOMEFAAS_RUNNER=1`.
   */
  runner?: boolean;
}

/**
 * Default wait for an available replica after a deploy, in seconds: longer than the registry's own wait
 * (`DEFAULT_REGISTRY_ANSWER_TIMEOUT_SECONDS`), as a node may first pull the image over a home network.
 */
export const DEFAULT_REPLICA_READY_TIMEOUT_SECONDS = 120;
