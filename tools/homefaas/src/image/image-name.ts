import { HomefaasError } from '@homefaas/core';

/** An image reference split into its parts: `registry/repository:tag`. */
export interface ImageName {
  /** `host:port`, or `docker.io` for a Docker Hub name. */
  registry: string;
  repository: string;
  tag: string;
}

/** Splits `host:port/path/name:tag` (Docker Hub names have no registry part); digests are refused. */
export function parseImageName(reference: string): ImageName {
  if (reference.includes('@')) {
    throw new HomefaasError(
      'ERR_STACK_IMAGE',
      `The image ${reference} is pinned by digest; publish needs a tag to push.`,
      { hint: 'Write the image in stack.yml as registry/name:tag.' },
    );
  }
  const slash = reference.indexOf('/');
  const first = slash === -1 ? '' : reference.slice(0, slash);
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  const rest = hasRegistry ? reference.slice(slash + 1) : reference;
  const colon = rest.lastIndexOf(':');
  const repository = colon === -1 ? rest : rest.slice(0, colon);
  const tag = colon === -1 ? 'latest' : rest.slice(colon + 1);
  return { registry, repository, tag };
}

/** `registry/repository:tag` again. */
export function formatImageName(image: ImageName, tag: string = image.tag): string {
  return `${image.registry === 'docker.io' ? '' : `${image.registry}/`}${image.repository}:${tag}`;
}

/** Throws `ERR_OPTION_INVALID` unless `tag` is a Docker tag. */
export function assertTag(tag: string): void {
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
    throw new HomefaasError('ERR_OPTION_INVALID', `${JSON.stringify(tag)} is not a Docker tag.`, {
      hint: 'A tag has up to 128 letters, digits, _, . and -, and does not start with . or -.',
    });
  }
}
