/** Options of the `registry-up` executor (see schema.json); each overrides homefaas.json. */
export interface RegistryUpExecutorSchema {
  host?: string;
  port?: number;
  user?: string;
  container?: string;
  image?: string;
  network?: 'host' | 'bridge';
  recreate?: boolean;
  certsDir?: string;
  dockerConfig?: string;
  timeout?: number;
  days?: number;
}
