import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeScratchDir } from './scratch-dir';

let temp: string;

beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'scratch-dir-spec-'));
  vi.stubEnv('TMPDIR', temp);
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(temp, { recursive: true, force: true });
});

/** The pid of a process that has already ended. */
function endedPid(): number {
  const pid = spawnSync('true').pid;
  if (pid === undefined) throw new Error('true did not start');
  return pid;
}

function leftBehind(name: string): string {
  const dir = join(temp, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'bake.json'), '{}');
  return dir;
}

describe('makeScratchDir', () => {
  it('makes a new folder in the temp folder, named for the kind and this process', async () => {
    const dir = await makeScratchDir('bake');
    expect(dirname(dir)).toBe(temp);
    expect(basename(dir)).toMatch(new RegExp(`^homefaas-bake-${process.pid}-\\w{6}$`));
    expect(readdirSync(dir)).toEqual([]);
    expect(await makeScratchDir('bake')).not.toBe(dir);
  });

  it('removes a folder of the same kind left by a process that has ended', async () => {
    const abandoned = leftBehind(`homefaas-bake-${endedPid()}-abc123`);
    await makeScratchDir('bake');
    expect(existsSync(abandoned)).toBe(false);
  });

  it("keeps a running process's folders, other kinds, and folders it did not name", async () => {
    const running = leftBehind(`homefaas-bake-${process.pid}-abc123`);
    const otherKind = leftBehind(`homefaas-serve-${endedPid()}-abc123`);
    const notOurs = [leftBehind('homefaas-bake-abc123'), leftBehind(`bake-${endedPid()}-abc123`)];
    await makeScratchDir('bake');
    for (const dir of [running, otherKind, ...notOurs]) expect(existsSync(dir), dir).toBe(true);
  });
});
