import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_AREAS, ERROR_CODES } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import {
  currentErrorTable,
  formatErrorTable,
  replaceErrorTable,
  TABLE_END,
  TABLE_START,
  tableCells,
  WRITE_COMMAND,
} from './readme-error-table';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe("README.md's Troubleshooting table", () => {
  it(`is the one generated from libs/core's error codes (else run ${WRITE_COMMAND})`, () => {
    expect(tableCells(currentErrorTable(README))).toBe(tableCells(formatErrorTable()));
  });

  it('lists every code once, under its area, in a section before ## Tests', () => {
    const table = formatErrorTable();
    for (const code of Object.keys(ERROR_CODES)) {
      expect(table.split(`| \`${code}\` |`)).toHaveLength(2);
    }
    for (const area of ERROR_AREAS) {
      expect(Object.values(ERROR_CODES).some((info) => info.area === area)).toBe(true);
      expect(table).toContain(`### ${area}\n`);
    }
    const troubleshooting = README.indexOf('\n## Troubleshooting\n');
    expect(troubleshooting).toBeGreaterThan(0);
    expect(README.indexOf(TABLE_START)).toBeGreaterThan(troubleshooting);
    expect(README.indexOf('\n## Tests\n')).toBeGreaterThan(README.indexOf(TABLE_END));
  });

  it('is rewritten between its markers only, and the markers are required', () => {
    const readme = `# Title\n\nbefore\n${TABLE_START}\nold table\n${TABLE_END}\nafter\n`;
    const updated = replaceErrorTable(readme, 'new table');
    expect(updated).toBe(`# Title\n\nbefore\n${TABLE_START}\nnew table\n${TABLE_END}\nafter\n`);
    expect(currentErrorTable(updated)).toBe('new table');
    expect(replaceErrorTable(updated, 'new table')).toBe(updated);
    expect(() => replaceErrorTable('# Title\n', 'new table')).toThrow(/lacks the markers/);
  });

  it('escapes a | in a cell so the row keeps three columns', () => {
    for (const row of formatErrorTable()
      .split('\n')
      .filter((line) => line.startsWith('| `ERR_'))) {
      expect(row.replaceAll('\\|', '').split('|')).toHaveLength(5);
    }
  });
});

describe('the error codes', () => {
  it('are each thrown by the product (a code nothing throws is removed from the list)', () => {
    const sources = productSources().map((file) => readFileSync(file, 'utf8'));
    const unused = Object.keys(ERROR_CODES).filter(
      (code) => !sources.some((text) => text.includes(`'${code}'`)),
    );
    expect(unused).toEqual([]);
  });
});

/** The TypeScript of the libs and the plugin: no specs, no test helpers, not the list itself. */
function productSources(): string[] {
  const roots = [
    ...readdirSync(join(ROOT, 'libs')).map((lib) => join(ROOT, 'libs', lib, 'src')),
    join(ROOT, 'tools', 'homefaas', 'src'),
  ];
  return roots.flatMap((root) =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((file) => join(root, file))
      .filter(
        (file) =>
          file.endsWith('.ts') &&
          !file.endsWith('.spec.ts') &&
          !relative(ROOT, file)
            .split('/')
            .some((part) => part === 'test-support' || part === 'testing') &&
          !file.endsWith(join('core', 'src', 'error-codes.ts')),
      ),
  );
}
