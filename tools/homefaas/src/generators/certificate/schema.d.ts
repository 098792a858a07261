/** Options of `nx g certificate <domain>`, as the schema gives them. */
export interface CertificateGeneratorSchema {
  domain: string;
  /** Comma-separated IP addresses. */
  ip?: string | string[];
  /** Comma-separated DNS names, wildcards allowed. */
  altNames?: string | string[];
  days?: number;
  renew?: boolean;
}
