import { HomefaasError } from '@homefaas/core';
import { isImageTag, parseImageReference } from '@homefaas/docker-engine';

/** An image reference split into its parts: `registry/repository:tag`. */
export interface ImageName {
  /** `host:port`, or `docker.io` for a Docker Hub name. */
  registry: string;
  repository: string;
  tag: string;
}

/**
 * Reads `host:port/path/name:tag` by the reference grammar Docker and the registry apply (Docker Hub names have
 * no registry part; no tag means `latest`). Digests are refused: publish needs a tag to push. Throws
 * ERR_STACK_IMAGE, naming the image, for anything Docker would refuse, such as an upper-case repository name.
 */
export function parseImageName(reference: string): ImageName {
  if (reference.includes('@')) {
    throw new HomefaasError(
      'ERR_STACK_IMAGE',
      `The image ${reference} is pinned by digest; publish needs a tag to push.`,
      { hint: 'Write the image in stack.yml as registry/name:tag.' },
    );
  }
  const parsed = parseImageReference(reference);
  if (parsed === undefined) {
    throw new HomefaasError(
      'ERR_STACK_IMAGE',
      `The image ${JSON.stringify(reference)} is not an image reference Docker accepts.`,
      {
        hint: 'Write the image in stack.yml as registry/name:tag with a lower-case name: letters, digits and . _ - separated by /, e.g. docker-registry.home.lan:5000/hello-world:latest.',
      },
    );
  }
  return { registry: parsed.domain ?? 'docker.io', repository: parsed.path, tag: parsed.tag ?? 'latest' };
}

/** `registry/repository:tag` again. */
export function formatImageName(image: ImageName, tag: string = image.tag): string {
  return `${image.registry === 'docker.io' ? '' : `${image.registry}/`}${image.repository}:${tag}`;
}

/** Throws `ERR_OPTION_INVALID` unless `tag` is a Docker tag. */
export function assertTag(tag: string): void {
  if (!isImageTag(tag)) {
    throw new HomefaasError('ERR_OPTION_INVALID', `${JSON.stringify(tag)} is not a Docker tag.`, {
      hint: 'A tag has up to 128 letters, digits, _, . and -, and does not start with . or -.',
    });
  }
}
