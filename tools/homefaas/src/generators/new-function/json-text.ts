/** Line width of the workspace's formatter (biome.json `lineWidth`). */
const LINE_WIDTH = 110;

/**
 * JSON as the workspace's formatter writes it, so a generated file passes `biome ci` untouched: two-space
 * indent, objects expanded, an array of plain values on one line when the line fits.
 */
export function formatJson(value: unknown): string {
  return `${format(value, '', 0)}\n`;
}

/** `lead` is the width of what precedes the value on its line (indent and key); a comma may follow. */
function format(value: unknown, indent: string, lead: number): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const plain = value.every((item) => item === null || typeof item !== 'object');
    const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    if (plain && lead + flat.length + 1 <= LINE_WIDTH) return flat;
    const items = value.map((item) => `${inner}${format(item, inner, inner.length)}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([key, item]) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return `${head}${format(item, inner, head.length)}`;
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
