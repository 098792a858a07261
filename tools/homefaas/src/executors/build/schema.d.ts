/** Options of the `build` executor (see schema.json). */
export interface BuildExecutorSchema {
  handler?: string;
  lang?: string;
  outputPath?: string;
  external?: string[];
}
