import { splitList } from '@homefaas/core';

/** Platforms built when stack.yml names none: every architecture a home lab is likely to run. */
export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];

/**
 * One platform as buildx spells it: os/architecture, then an optional variant (`linux/arm/v7`). The one
 * pattern stack.yml's schema and the new-function generator both check.
 */
export const PLATFORM_PATTERN = '[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?';

const PLATFORM = new RegExp(`^${PLATFORM_PATTERN}$`);

/** True when `text` is one platform such as `linux/arm64`. */
export function isPlatform(text: string): boolean {
  return PLATFORM.test(text);
}

/** The distinct platforms of a comma list, in order; {@link DEFAULT_PLATFORMS} when it names none. */
export function parsePlatforms(list: string | undefined): string[] {
  const platforms = splitList(list);
  return platforms.length > 0 ? [...new Set(platforms)] : [...DEFAULT_PLATFORMS];
}
