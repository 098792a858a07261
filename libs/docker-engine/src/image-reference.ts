import { HomefaasError } from '@homefaas/core';

/** The parts of an image reference such as `docker-registry.home.lan:5000/team/hello:latest`. */
export interface ImageReference {
  /** Registry host (and port), when the reference names one. */
  domain?: string;
  /** Repository path, e.g. `team/hello`. */
  path: string;
  tag?: string;
  digest?: string;
}

// The grammar of distribution/reference (https://github.com/distribution/reference, reference.go), which
// Docker, containerd and the registry all apply.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const PATH_ONLY = new RegExp(`^${PATH_COMPONENT}$`);
const TAG_ONLY = new RegExp(`^${TAG}$`);
/** Longest name (domain and path) the grammar allows. */
const NAME_MAX = 255;

/** The parts of `text`, or `undefined` when it is not an image reference. */
export function parseImageReference(text: string): ImageReference | undefined {
  const match = REFERENCE.exec(text);
  if (!match) return undefined;
  const [, first, rest = '', tag, digest] = match;
  if ((first ? first.length + 1 : 0) + rest.length > NAME_MAX) return undefined;
  // As Docker reads it: the first component names a registry only when it looks like a host
  // (`joxit/docker-registry-ui` is a repository on the default registry).
  if (first === undefined || isRegistryHost(first)) return { domain: first, path: rest, tag, digest };
  return { domain: undefined, path: `${first}/${rest}`, tag, digest };
}

/** True when `text` is a tag the grammar allows: up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`. */
export function isImageTag(text: string): boolean {
  return TAG_ONLY.test(text);
}

function isRegistryHost(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || !PATH_ONLY.test(component);
}

/** {@link parseImageReference}, throwing ERR_IMAGE_REFERENCE that names `label` (e.g. `--image`) when invalid. */
export function assertImageReference(text: string, label: string): ImageReference {
  const reference = parseImageReference(text);
  if (reference) return reference;
  throw new HomefaasError(
    'ERR_IMAGE_REFERENCE',
    `${label} ${JSON.stringify(text)} is not an image reference.`,
    {
      hint: `Give one such as registry:2 or my-registry.lan:5000/team/registry:2.8: a lowercase name of letters, digits and . _ - separated by /, then an optional :tag (letters, digits, _ . -; at most 128) and @digest.`,
    },
  );
}
