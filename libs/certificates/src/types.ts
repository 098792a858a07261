/** Input of {@link createCa}. */
export interface CreateCaOptions {
  /** Subject CN of the root (iOS lists roots by CN): at most 64 characters, any script. */
  commonName: string;
  /** DNS name constraints (`home.lan`); empty means an unconstrained CA. */
  permittedDomains: string[];
  /** IP name constraints as CIDR (`192.168.0.0/16`, `127.0.0.1/32`). */
  permittedIps: string[];
  /** Validity in days. */
  days: number;
  /** RSA modulus size; 4096 by default. */
  keyBits?: 3072 | 4096;
  /** Clock for tests; defaults to the current time. */
  now?: Date;
}

/** A CA certificate and its key, both PEM. */
export interface CaMaterial {
  certPem: string;
  /** Unencrypted PKCS#8 PEM: keep it in memory only, encrypt it with `encryptPrivateKey` before storing. */
  keyPem: string;
}

/** Input of {@link issueServerCertificate}. */
export interface IssueServerOptions {
  dnsNames: string[];
  ips: string[];
  /** Validity in days, at most 825 (Apple's limit for user-added roots). */
  days: number;
  /**
   * Subject CN, at most 64 characters; defaults to the first DNS name (none when it is longer than that),
   * else `IP <first address>` (see `issueServerCertificate`).
   */
  commonName?: string;
  /** RSA modulus size; 2048 by default. */
  keyBits?: number;
  /** Clock for tests; defaults to the current time. */
  now?: Date;
}

/** A server certificate, its unencrypted PKCS#8 key and the certificate followed by the CA certificate. */
export interface LeafMaterial {
  certPem: string;
  keyPem: string;
  fullchainPem: string;
}

/** What {@link describeCertificate} reads from a certificate. */
export interface CertificateInfo {
  /** Distinguished name, OpenSSL one-line style (`CN=homefaas CA`). */
  subject: string;
  issuer: string;
  commonName?: string;
  dnsNames: string[];
  ips: string[];
  notBefore: Date;
  notAfter: Date;
  /** Lower-case hex. */
  serialNumber: string;
  /** Upper-case colon-separated hex of the SHA-256 of the DER. */
  fingerprintSha256: string;
  isCa: boolean;
  /** Lower-case hex. */
  subjectKeyId?: string;
  /** Lower-case hex. */
  authorityKeyId?: string;
  /** DNS name constraints of a CA (empty when none). */
  permittedDomains: string[];
  /** IP name constraints of a CA as CIDR (empty when none). */
  permittedIps: string[];
}

/** Result of {@link verifyServerCertificate}: `ok` when `problems` is empty. */
export interface VerificationResult {
  ok: boolean;
  problems: string[];
}

/** Which name a client connects to: a host name, an IP, or both. */
export interface VerificationTarget {
  host?: string;
  ip?: string;
}
