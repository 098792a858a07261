/** Options of `nx g registry` (see schema.json). */
export interface RegistryGeneratorSchema {
  host?: string;
  port?: number;
  user?: string;
  /** Comma-separated IP addresses (or an array when the flag is repeated); "none" for none. */
  ip?: string | string[];
  ui?: boolean;
  image?: string;
  days?: number;
  renew?: boolean;
  /** Replace the password of a user auth/registry.password already has (otherwise a different one is refused). */
  changePassword?: boolean;
}
