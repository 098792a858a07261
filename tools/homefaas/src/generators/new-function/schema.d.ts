/** Options of the `new-function` generator (see schema.json). */
export interface NewFunctionGeneratorSchema {
  name: string;
  lang?: string;
  platforms?: string;
  memoryLimit?: string;
  cpuLimit?: string;
}
