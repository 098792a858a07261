import { errorMessage } from '@homefaas/core';
import type { FunctionState } from './outcome';

/**
 * The table a run ends with: one row per function (tag, image, deploy, ready), failures last with their
 * reason. Only names, tags and outcomes: nothing secret can be in it.
 */
export function formatSummary(states: readonly FunctionState[], dryRun: boolean): string[] {
  const sorted = [...states].sort(
    (a, b) =>
      Number(a.error !== undefined) - Number(b.error !== undefined) ||
      a.input.name.localeCompare(b.input.name),
  );
  const all = [
    ['function', ...sorted.map((state) => state.input.name)],
    ['tag', ...sorted.map((state) => state.tag ?? '-')],
    ['image', ...sorted.map((state) => state.image)],
    ['deploy', ...sorted.map((state) => state.deploy)],
    ['ready', ...sorted.map((state) => state.ready)],
  ];
  // A run that never deploys (the image target) has no deploy or ready column.
  const columns = all.filter(
    ([title, ...values]) => title === 'function' || values.some((v) => v !== 'not reached'),
  );
  const header = columns.map(([title]) => title ?? '');
  const rows = sorted.map((_, i) => columns.map((column) => column[i + 1] ?? ''));
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const failed = states.filter((state) => state.error !== undefined);
  const title = `${dryRun ? 'Plan' : 'Published'}: ${states.length - failed.length} of ${states.length} function(s)${failed.length > 0 ? `, ${failed.length} failed` : ''}`;
  return [
    '',
    title,
    line(header),
    ...rows.map(line),
    ...failed.map((state) => `✖ ${state.input.name}: ${firstLine(errorMessage(state.error))}`),
  ];
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
