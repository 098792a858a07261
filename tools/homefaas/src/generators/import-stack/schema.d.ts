/** Options of the `import-stack` generator (see schema.json). */
export interface ImportStackGeneratorSchema {
  path: string;
  platforms?: string;
}
