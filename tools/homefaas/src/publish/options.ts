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

/** Default wait for an available replica after a deploy, in seconds. */
export const DEFAULT_READY_TIMEOUT_SECONDS = 120;

/** Splits `a,b` and `['a', 'b,c']` into trimmed, non-empty items. */
export function splitList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : value)
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
