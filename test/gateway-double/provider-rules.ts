/** The providers the double imitates. */
export type DoubleProvider = 'faasd' | 'faasd-pro' | 'faas-netes-ce';

/** What differs between providers, from the table in OpenFaaS's faas-provider, faasd and faas-netes. */
export interface ProviderRules {
  /** Success of POST / PUT / DELETE on functions, and of secret and scale calls. */
  accepted: number;
  /** POST of a function that exists: faasd 400, faas-netes 500 (the Kubernetes create error). */
  alreadyExists: { status: number; body: (name: string) => string };
  /** faas-netes CE refuses images that need registry credentials; faasd pulls them with its config.json. */
  rejectsPrivateImages: boolean;
  /** A PUT that fails a check: faas-netes CE answers 200 with an empty body and changes nothing; faasd 500
   * and the running function is gone. */
  failedPut: { status: number; body: string; removesFunction: boolean };
  /** The Community Editions stop at {@link MAX_FUNCTIONS}; paid editions have no such limit. */
  functionLimit?: number;
  info: object;
}

/** Both Community Editions stop at 15 functions (faasd Pro does not). */
export const MAX_FUNCTIONS = 15;

export const PUBLIC_IMAGES_ONLY =
  'the Community Edition license agreement only allows public images to be used';
export const TOO_MANY_FUNCTIONS = `the Community Edition license agreement only allows ${MAX_FUNCTIONS} functions`;

const gatewayVersion = { sha: '0c2a4f1', release: '0.27.12', commit_message: '' };

/** faasd's answers; `provider` is what `/system/info` names (faasd-ce, or faasd-pro). */
function faasdRules(provider: string, functionLimit?: number): ProviderRules {
  return {
    accepted: 200,
    alreadyExists: { status: 400, body: (name) => `function ${name} already exists` },
    rejectsPrivateImages: false,
    failedPut: { status: 500, body: 'unable to start task: image check failed', removesFunction: true },
    ...(functionLimit === undefined ? {} : { functionLimit }),
    info: {
      provider: { provider, orchestration: 'containerd', version: { sha: '8a3c1f2', release: '0.19.6' } },
      version: gatewayVersion,
      arch: 'x86_64',
    },
  };
}

export const RULES: Record<DoubleProvider, ProviderRules> = {
  faasd: faasdRules('faasd-ce', MAX_FUNCTIONS),
  // The paid edition has no function limit: a team's cluster with more than 15 functions.
  'faasd-pro': faasdRules('faasd-pro'),
  'faas-netes-ce': {
    accepted: 202,
    alreadyExists: {
      status: 500,
      body: (name) => `Unable create Deployment: deployments.apps "${name}" already exists`,
    },
    rejectsPrivateImages: true,
    failedPut: { status: 200, body: '', removesFunction: false },
    functionLimit: MAX_FUNCTIONS,
    info: {
      provider: {
        provider: 'faas-netes-ce',
        orchestration: 'kubernetes',
        version: { sha: '5f0e0b4', release: '0.18.13' },
      },
      version: gatewayVersion,
      arch: 'x86_64',
    },
  },
};

/** Registries anyone can pull from without credentials, by the double's simple rule. */
export const PUBLIC_REGISTRIES = [
  'docker.io',
  'index.docker.io',
  'ghcr.io',
  'quay.io',
  'public.ecr.aws',
  'registry.k8s.io',
];

/**
 * The double's stand-in for faas-netes CE's "is this image public?" check: an image is public when it has no
 * registry host (Docker Hub) or its host is in `publicRegistries`. Anything else, such as
 * `docker-registry.home.lan:5000/hello`, counts as needing credentials.
 */
export function isPublicImage(
  image: string,
  publicRegistries: readonly string[] = PUBLIC_REGISTRIES,
): boolean {
  const first = image.split('/')[0] ?? '';
  const hasHost =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return !hasHost || publicRegistries.includes(first.toLowerCase());
}
