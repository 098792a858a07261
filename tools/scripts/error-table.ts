/**
 * README.md's Troubleshooting table, generated from the error codes of libs/core:
 *   npx tsx tools/scripts/error-table.ts            prints it
 *   npx tsx tools/scripts/error-table.ts --write    rewrites the part of README.md between its markers
 *   npx tsx tools/scripts/error-table.ts --check    fails when README.md differs from the codes
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  currentErrorTable,
  formatErrorTable,
  replaceErrorTable,
  tableCells,
  WRITE_COMMAND,
} from './readme-error-table';

const README = join(__dirname, '..', '..', 'README.md');

function main(argv: readonly string[]): number {
  const table = formatErrorTable();
  if (argv.includes('--write')) {
    const readme = readFileSync(README, 'utf8');
    const updated = replaceErrorTable(readme, table);
    if (updated !== readme) {
      writeFileSync(README, updated);
      // Lined up as the formatter writes Markdown tables, so that `biome ci` passes.
      execFileSync('npx', ['--no', '--', 'biome', 'format', '--write', README], { stdio: 'ignore' });
    }
    console.log(updated === readme ? 'README.md is current.' : 'README.md: error table rewritten.');
    return 0;
  }
  if (argv.includes('--check')) {
    if (tableCells(currentErrorTable(readFileSync(README, 'utf8'))) === tableCells(table)) return 0;
    console.error(`README.md's error table differs from libs/core/src/error-codes.ts: run ${WRITE_COMMAND}.`);
    return 1;
  }
  console.log(table);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
