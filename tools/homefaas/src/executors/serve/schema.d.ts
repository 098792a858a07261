/** Options of the `serve` executor (see schema.json). */
export interface ServeExecutorSchema {
  port?: number;
  buildTarget?: string;
}
