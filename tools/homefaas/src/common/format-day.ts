/** A date as the day it falls on in UTC, `2026-12-02`: how messages give validity dates. */
export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
