import { ERROR_AREAS, ERROR_CODES, type ErrorCode } from '@homefaas/core';

/** The command that regenerates the table, for messages. */
export const WRITE_COMMAND = 'npx tsx tools/scripts/error-table.ts --write';
/** The markers around the generated part of README.md's Troubleshooting section. */
export const TABLE_START = `<!-- error-table:start (generated from libs/core/src/error-codes.ts by ${WRITE_COMMAND}) -->`;
export const TABLE_END = '<!-- error-table:end -->';

/** Markdown of every code in {@link ERROR_CODES}: one table per area, in the order of {@link ERROR_AREAS}. */
export function formatErrorTable(): string {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];
  const sections = ERROR_AREAS.map((area) => {
    const rows = codes
      .filter((code) => ERROR_CODES[code].area === area)
      .map(
        (code) => `| \`${code}\` | ${cell(ERROR_CODES[code].meaning)} | ${cell(ERROR_CODES[code].hint)} |`,
      );
    return [`### ${area}`, '', '| Code | Meaning | What to do |', '| --- | --- | --- |', ...rows].join('\n');
  });
  return sections.join('\n\n');
}

/** `readme` with the text between the markers replaced by `table`; throws when the markers are missing. */
export function replaceErrorTable(readme: string, table: string): string {
  const { before, after } = splitAtMarkers(readme);
  return `${before}${TABLE_START}\n${table}\n${TABLE_END}${after}`;
}

/** The text between the markers of `readme`, without the line breaks next to them. */
export function currentErrorTable(readme: string): string {
  const { inside } = splitAtMarkers(readme);
  return inside.replace(/^\n/, '').replace(/\n$/, '');
}

function splitAtMarkers(readme: string): { before: string; inside: string; after: string } {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md lacks the markers ${TABLE_START} and ${TABLE_END} around the error table.`);
  }
  return {
    before: readme.slice(0, start),
    inside: readme.slice(start + TABLE_START.length, end),
    after: readme.slice(end + TABLE_END.length),
  };
}

/**
 * The table as Markdown reads it: the formatter pads cells and separator rows to line up the columns, which
 * changes no cell. Each row's cells trimmed, each separator cell `---`.
 */
export function tableCells(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim().replace(/^-{3,}$/, '---'))
            .join('|')
        : line.trimEnd(),
    )
    .join('\n');
}

/** A table cell: a `|` would end it. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}
