/** Options of `nx g ca`, as the schema gives them. */
export interface CaGeneratorSchema {
  commonName?: string;
  /** Comma-separated, or "none". */
  permittedDomains?: string | string[];
  /** Comma-separated CIDR ranges, or "none". */
  permittedIps?: string | string[];
  days?: number;
  keyBits?: 3072 | 4096;
  importCert?: string;
  importKey?: string;
  rotate?: boolean;
}
