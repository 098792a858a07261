/** Options of the `init` generator (see schema.json). */
export interface InitGeneratorSchema {
  registryHost?: string;
  registryPort?: number;
  copyTemplate?: boolean;
}
