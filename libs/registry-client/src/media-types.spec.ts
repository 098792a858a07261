import { describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, platformsOf } from './index';

const entry = (platform: Record<string, string>, annotations?: Record<string, string>) => ({
  mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
  digest: `sha256:${'0'.repeat(64)}`,
  size: 100,
  platform,
  ...(annotations ? { annotations } : {}),
});

// The shape buildx pushes: three platforms, plus (with provenance on) attestation entries.
const BUILDX_INDEX = {
  schemaVersion: 2,
  mediaType: MANIFEST_MEDIA_TYPES.ociIndex,
  manifests: [
    entry({ architecture: 'amd64', os: 'linux' }),
    entry({ architecture: 'arm64', os: 'linux' }),
    entry({ architecture: 'arm', os: 'linux', variant: 'v7' }),
    entry(
      { architecture: 'unknown', os: 'unknown' },
      { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': 'sha256:1' },
    ),
  ],
};

describe('platformsOf', () => {
  it.each([
    [
      'an OCI index from buildx',
      MANIFEST_MEDIA_TYPES.ociIndex,
      BUILDX_INDEX,
      ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    ],
    [
      'a Docker manifest list',
      MANIFEST_MEDIA_TYPES.dockerManifestList,
      { ...BUILDX_INDEX, mediaType: MANIFEST_MEDIA_TYPES.dockerManifestList },
      ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    ],
    [
      'an index known only by its mediaType field',
      '',
      BUILDX_INDEX,
      ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    ],
    [
      'duplicates and entries without a platform',
      MANIFEST_MEDIA_TYPES.ociIndex,
      {
        manifests: [
          entry({ architecture: 'arm64', os: 'linux', variant: 'v8' }),
          { digest: 'x' },
          entry({ architecture: 'arm64', os: 'linux', variant: 'v8' }),
        ],
      },
      ['linux/arm64/v8'],
    ],
    [
      'a single-platform OCI manifest',
      MANIFEST_MEDIA_TYPES.ociManifest,
      { schemaVersion: 2, layers: [] },
      [],
    ],
    ['a Docker v2 manifest', MANIFEST_MEDIA_TYPES.dockerManifest, { schemaVersion: 2, layers: [] }, []],
    ['null', MANIFEST_MEDIA_TYPES.ociIndex, null, []],
  ])('%s', (_name, mediaType, manifest, expected) => {
    expect(platformsOf({ mediaType, manifest })).toEqual(expected);
  });
});

describe('MANIFEST_ACCEPT', () => {
  it('lists the four manifest media types', () => {
    expect(MANIFEST_ACCEPT.split(', ').sort()).toEqual([
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
    ]);
  });
});
