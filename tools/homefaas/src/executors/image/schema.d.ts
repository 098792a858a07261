/** Options of the `image` executor (see schema.json). */
export interface ImageExecutorSchema {
  platforms?: string | string[];
  tags?: string[];
  contextPath?: string;
  builder?: string;
}
