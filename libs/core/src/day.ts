/** Milliseconds in a day: certificate validity is counted in whole days of this length. */
export const DAY_MS = 86_400_000;
