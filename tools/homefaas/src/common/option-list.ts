import { splitList } from '@homefaas/core';

/**
 * A comma-separated list option in which `none` alone means an explicitly empty list, as opposed to an
 * option not given at all (`--ip none`, `--permittedDomains none`).
 */
export function splitOptionList(value: string | readonly string[] | undefined): {
  items: string[];
  none: boolean;
} {
  const items = splitList(value);
  const none = items.length === 1 && items[0]?.toLowerCase() === 'none';
  return { items: none ? [] : items, none };
}
