/** Options of the `doctor` executor (see schema.json); each overrides homefaas.json. */
export interface DoctorExecutorSchema {
  host?: string;
  port?: number;
  user?: string;
  container?: string;
  certsDir?: string;
  dockerConfig?: string;
}
