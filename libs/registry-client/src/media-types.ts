import type { ManifestResult } from './types';

/** The manifest media types this client asks for and understands. */
export const MANIFEST_MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** The `Accept` header for manifest requests: without it registries fall back to old schema 1 manifests. */
export const MANIFEST_ACCEPT = Object.values(MANIFEST_MEDIA_TYPES).join(', ');

const INDEX_TYPES: ReadonlySet<string> = new Set([
  MANIFEST_MEDIA_TYPES.dockerManifestList,
  MANIFEST_MEDIA_TYPES.ociIndex,
]);

interface Platform {
  os?: unknown;
  architecture?: unknown;
  variant?: unknown;
}

interface IndexEntry {
  platform?: Platform;
  annotations?: Record<string, unknown>;
}

/**
 * The platforms (`linux/amd64`, `linux/arm/v7`, ...) of a manifest list or OCI index, in order, without
 * buildx attestation entries. A single-platform manifest gives `[]`: its platform is in its config blob.
 */
export function platformsOf(manifest: Pick<ManifestResult, 'mediaType' | 'manifest'>): string[] {
  const body = manifest.manifest as { mediaType?: unknown; manifests?: unknown } | null;
  const mediaType = manifest.mediaType || (typeof body?.mediaType === 'string' ? body.mediaType : '');
  const isIndex = INDEX_TYPES.has(mediaType) || (mediaType === '' && Array.isArray(body?.manifests));
  if (!isIndex || !Array.isArray(body?.manifests)) return [];
  const platforms: string[] = [];
  for (const entry of body.manifests as IndexEntry[]) {
    const text = platformText(entry);
    if (text && !platforms.includes(text)) platforms.push(text);
  }
  return platforms;
}

function platformText(entry: IndexEntry): string | undefined {
  if (entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return undefined;
  const { os, architecture, variant } = entry.platform ?? {};
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  if (os === 'unknown' || architecture === 'unknown') return undefined;
  return typeof variant === 'string' && variant !== ''
    ? `${os}/${architecture}/${variant}`
    : `${os}/${architecture}`;
}
