/** Credentials for a registry: sent as HTTP Basic, or exchanged for a bearer token when the registry asks. */
export interface RegistryAuth {
  username: string;
  password: string;
}

/** How to reach a registry. */
export interface RegistryClientOptions {
  /** `https://host:port` of the registry (plain HTTP is refused). */
  baseUrl: string;
  /** PEM of the CA that signed the registry's certificate, trusted in addition to the system roots. */
  ca?: string;
  auth?: RegistryAuth;
  /** The fetch to use (default: undici's); it receives the CA-trusting `dispatcher` in its init. */
  fetch?: typeof fetch;
  /** Limit for each HTTP request, in milliseconds (default 30 000). */
  timeoutMs?: number;
}

/** What `GET /v2/` said: whether the registry wants credentials, and whether ours were accepted. */
export interface PingResult {
  /** Status of the last answer (200 when reachable and, if required, authenticated; 401 without credentials). */
  status: number;
  /** The registry answered 401 to an anonymous request. */
  authRequired: boolean;
  /** Our credentials were sent and accepted. */
  authenticated: boolean;
  /** The `WWW-Authenticate` header of the 401, when there was one. */
  challenge?: string;
}

/** What `HEAD /v2/<name>/manifests/<reference>` told about a manifest. */
export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** A manifest as fetched: its digest (checked against the bytes), media type, parsed JSON and the bytes. */
export interface ManifestResult {
  digest: string;
  mediaType: string;
  manifest: unknown;
  /** The bytes as the registry sent them: what to PUT under another tag to keep the same digest. */
  raw: string;
}

/** A client of one registry, speaking the OCI distribution API (https://github.com/opencontainers/distribution-spec). */
export interface RegistryClient {
  /** `GET /v2/`: reachability, TLS and credentials in one request (two when auth is required). */
  ping(): Promise<PingResult>;
  /** Every repository name, following pagination. */
  catalog(): Promise<string[]>;
  /** The tags of a repository; `[]` when the repository does not exist. */
  tags(repository: string): Promise<string[]>;
  /** Digest, media type and size of a manifest; `undefined` when it does not exist. */
  headManifest(repository: string, reference: string): Promise<ManifestHead | undefined>;
  /** A manifest, parsed; throws ERR_REGISTRY_NOT_FOUND when it does not exist. */
  getManifest(repository: string, reference: string): Promise<ManifestResult>;
  /** Stores a manifest under a tag or digest; returns its digest. */
  putManifest(
    repository: string,
    reference: string,
    body: string,
    mediaType: string,
  ): Promise<{ digest: string }>;
  /** Uploads a blob monolithically (POST then PUT) unless it already exists; returns its digest. */
  uploadBlob(repository: string, data: Uint8Array | string): Promise<string>;
  /**
   * Links a blob that repository `from` of this registry has into `repository`, without uploading it (a
   * cross-repository mount); false when the registry would not (the upload it started instead is cancelled).
   */
  mountBlob(repository: string, digest: string, from: string): Promise<boolean>;
  /** Same as the exported {@link platformsOf}. */
  platformsOf(manifest: Pick<ManifestResult, 'mediaType' | 'manifest'>): string[];
  /** Closes the connections this client opened. */
  close(): Promise<void>;
}
