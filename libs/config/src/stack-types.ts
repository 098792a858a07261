/** The faas-cli stack file at the workspace root. */
export const STACK_FILE = 'stack.yml';

/** Memory and CPU as Kubernetes quantities (`128Mi`, `100m`), as faas-cli writes them. */
export interface StackResources {
  memory?: string;
  cpu?: string;
}

/** One entry under `functions:` in stack.yml, in faas-cli's field names. */
export interface StackFunction {
  lang?: string;
  handler?: string;
  image: string;
  fprocess?: string;
  environment?: Record<string, string>;
  environment_file?: string[];
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  limits?: StackResources;
  requests?: StackResources;
  constraints?: string[];
  readonly_root_filesystem?: boolean;
  build_args?: Record<string, string>;
  build_secrets?: Record<string, string>;
  /**
   * homefaas's own setting: the platforms the image is built for, as a comma list such as
   * `linux/arm64,linux/arm/v7`. faas-cli parses it and builds for its `--platforms` flag instead.
   */
  platforms?: string;
  namespace?: string;
  skip_build?: boolean;
  build_options?: string[];
  /** @deprecated faas-cli 0.18 no longer reads it: registry credentials live on the OpenFaaS host. Warned about. */
  registry_auth?: string;
}

/** `provider:`; faas-cli accepts only the name `openfaas`. */
export interface StackProvider {
  name: 'openfaas';
  gateway?: string;
  /** @deprecated faas-cli 0.18 no longer reads it. Warned about. */
  network?: string;
}

/** `configuration:` (templates to pull, shared folders copied into each build context). */
export interface StackConfiguration {
  templates?: Array<{ name: string; source?: string }>;
  copy?: string[];
}

/** A parsed, validated stack.yml. Scalars in maps are strings, as faas-cli reads them. */
export interface Stack {
  version: '1.0';
  provider: StackProvider;
  functions: Record<string, StackFunction>;
  configuration?: StackConfiguration;
}

/** A field stack.yml may hold that faas-cli accepts but no longer acts on: reported, never fatal. */
export interface StackWarning {
  /** Where it is, e.g. `functions.hello.registry_auth`. */
  path: string;
  /** What is wrong and what to do, e.g. `faas-cli 0.18 no longer reads it; ...`. */
  message: string;
}

/** What `parseStack` returns: the stack, and the warnings its fields gave (for the caller to report). */
export interface ParsedStack extends Stack {
  warnings: StackWarning[];
}

/** One function with everything the build and the deploy need, defaults filled. */
export interface ResolvedFunction {
  name: string;
  lang?: string;
  handler?: string;
  image: string;
  /** The function's own `fprocess`, else its template's (template.yml), as faas-cli sends it. */
  fprocess?: string;
  /** `environment` merged with the `environment_file` files in order; later wins. */
  environment: Record<string, string>;
  secrets: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  limits?: StackResources;
  requests?: StackResources;
  constraints: string[];
  readOnlyRootFilesystem: boolean;
  buildArgs: Record<string, string>;
  buildSecrets: Record<string, string>;
  platforms: string[];
  namespace?: string;
  skipBuild: boolean;
  /** `configuration.copy` of the stack: folders copied into the build context. */
  copy: string[];
  /** `provider.gateway` of the stack. */
  gateway?: string;
  /** Warnings about this function's entry and the stack's provider, for the caller to report. */
  warnings?: StackWarning[];
}
