const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  pb: 1024 ** 5,
};

const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*(b|kb|mb|gb|tb|pb)?$/i;

/**
 * Parses a body size limit as the official Node template's body-parser reads `MAX_JSON_SIZE` and
 * `MAX_RAW_SIZE`: `100kb`, `1.5mb`, `512b`, or a plain number of bytes; units are powers of 1024.
 * Returns whole bytes, or `undefined` when the text is not a size.
 * @see https://github.com/visionmedia/bytes.js
 */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase();
  return Math.floor(Number(match[1]) * (UNIT_BYTES[unit] ?? Number.NaN));
}
