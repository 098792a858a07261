export { MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, platformsOf } from './media-types';
export { createRegistryClient } from './registry-client';
export type {
  ManifestHead,
  ManifestResult,
  PingResult,
  RegistryAuth,
  RegistryClient,
  RegistryClientOptions,
} from './types';
