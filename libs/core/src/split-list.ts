/**
 * Splits a comma-separated option into trimmed, non-empty items: `'a, b'`, and `['a', 'b,c']` (Nx hands over
 * an array when a flag is repeated).
 */
export function splitList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : value)
    .flatMap((item) => String(item).split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
