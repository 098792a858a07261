import { createHash } from 'node:crypto';
import { HomefaasError } from '@homefaas/core';

const DIGEST = /^(sha256|sha512):([a-f0-9]+)$/;

/** The `sha256:<hex>` digest of some bytes, as the OCI image spec defines it. */
export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** True when `reference` is a digest (`sha256:...`) rather than a tag. */
export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}

/**
 * Checks that `bytes` match `claimed` (a digest header or the digest asked for), with the claimed algorithm.
 * Throws ERR_REGISTRY_DIGEST on a mismatch; a digest of an unknown algorithm is left unchecked.
 */
export function assertDigest(bytes: Uint8Array, claimed: string, where: string): void {
  const match = claimed.match(DIGEST);
  if (!match?.[1]) return;
  const actual = `${match[1]}:${createHash(match[1]).update(bytes).digest('hex')}`;
  if (actual !== claimed) {
    throw new HomefaasError(
      'ERR_REGISTRY_DIGEST',
      `${where}: the content's digest is ${actual}, not ${claimed}.`,
      {
        hint: 'The content changed in transit or the registry storage is damaged: try again, then check the registry.',
      },
    );
  }
}
