import { readFile } from 'node:fs/promises';

/**
 * Waits until the machine's CPUs are under `threshold` busy over one second, for at most `maxSeconds`; returns
 * whether it got there. Timings taken on a busy machine measure the machine, not the code.
 */
export async function waitForIdle(threshold = 0.15, maxSeconds = 60): Promise<boolean> {
  for (let second = 0; second < maxSeconds; second++) if ((await busyShare()) < threshold) return true;
  return false;
}

/** Share of CPU time spent busy over the next second, from /proc/stat. */
async function busyShare(): Promise<number> {
  const before = await cpuTicks();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await cpuTicks();
  return 1 - (after.idle - before.idle) / Math.max(1, after.total - before.total);
}

async function cpuTicks(): Promise<{ idle: number; total: number }> {
  const [, ...ticks] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.trim().split(/\s+/) ?? [];
  const values = ticks.map(Number);
  return { idle: (values[3] ?? 0) + (values[4] ?? 0), total: values.reduce((a, b) => a + b, 0) };
}
