import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates missing folders and writes the content with the given mode, leaving no temporary file', async () => {
    const path = join(dir, 'a/b/secret.key');
    await writeFileAtomic(path, 'key material', { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('key material');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'a/b'))).toEqual(['secret.key']);
  });

  it('replaces an existing file and sets the mode even when the old one was wider', async () => {
    const path = join(dir, 'x.key');
    writeFileSync(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, Buffer.from('new'), { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('defaults to 0644', async () => {
    const path = join(dir, 'x.pem');
    await writeFileAtomic(path, 'cert');
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('removes its temporary file and keeps the old content when the final rename fails', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'keep');
    await expect(writeFileAtomic(target, 'data')).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/),
    });
    expect(readdirSync(dir)).toEqual(['occupied']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('keep');
  });

  it('a process killed while writing leaves the old file whole, never a half-written one', async () => {
    const path = join(dir, 'big.key');
    const old = 'o'.repeat(1000);
    writeFileSync(path, old);
    const script = join(dir, 'writer.ts');
    writeFileSync(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(resolve(__dirname, 'write-file-atomic.ts'))};
       const data = Buffer.alloc(64 * 1024 * 1024, 110);
       (async () => { process.stdout.write('start\\n'); for (;;) await writeFileAtomic(${JSON.stringify(path)}, data); })();`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((ready) => child.stdout.once('data', () => ready()));
    const sizes = new Set<number>();
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) {
      if (existsSync(path)) sizes.add(statSync(path).size);
      await new Promise((tick) => setTimeout(tick, 5));
    }
    child.kill('SIGKILL');
    await new Promise((exit) => child.once('exit', exit));
    for (const size of sizes) expect([old.length, 64 * 1024 * 1024]).toContain(size);
    expect([old.length, 64 * 1024 * 1024]).toContain(statSync(path).size);
  }, 20_000);
});
