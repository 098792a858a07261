import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
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
import { isHomefaasError } from '@homefaas/core';
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

  it('exclusive: never replaces a file that is there (ERR_FILE_EXISTS), and leaves no temporary file', async () => {
    const path = join(dir, 'homeCA.key');
    writeFileSync(path, 'the old key', { mode: 0o600 });
    const error = await writeFileAtomic(path, 'a new key', {
      mode: 0o600,
      exclusive: true,
      shown: 'infra/ca/homeCA.key',
    }).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_FILE_EXISTS')).toBe(true);
    expect((error as Error).message).toBe('Refusing to write infra/ca/homeCA.key: the file already exists.');
    expect(readFileSync(path, 'utf8')).toBe('the old key');
    expect(readdirSync(dir)).toEqual(['homeCA.key']);
    await writeFileAtomic(join(dir, 'new.key'), 'fresh', { mode: 0o600, exclusive: true });
    expect(readFileSync(join(dir, 'new.key'), 'utf8')).toBe('fresh');
  });

  it('removes its temporary file and keeps the old content when the final rename fails', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'keep');
    const error = await writeFileAtomic(target, 'data').catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_FILE_WRITE')).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`^Cannot write ${target}: it is a folder \\((EISDIR|ENOTEMPTY)\\)\\.$`),
    );
    expect((error as { hint: string }).hint).toContain(target);
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

/**
 * Runs writeFileAtomic in a child process, optionally as another user or after a shell `setup` run in a
 * mount namespace of its own (so a mount there never shows on the machine), and returns what it threw.
 */
function writeInChild(
  path: string,
  bytes: number,
  how: { uid?: number; setup?: string } = {},
): { code: string; message: string; hint: string; left: string[]; kept: string | null } {
  const script = join(dir, 'child-writer.ts');
  writeFileSync(
    script,
    `import { existsSync, readdirSync, readFileSync } from 'node:fs';
     import { dirname } from 'node:path';
     import { writeFileAtomic } from ${JSON.stringify(resolve(__dirname, 'write-file-atomic.ts'))};
     const path = process.argv[2] as string;
     writeFileAtomic(path, Buffer.alloc(Number(process.argv[3]), 120)).then(
       () => console.log('{}'),
       (e) => console.log(JSON.stringify({
         code: e.code, message: e.message, hint: e.hint,
         left: readdirSync(dirname(path)), kept: existsSync(path) ? readFileSync(path, 'utf8') : null,
       })),
     );`,
  );
  const node = [process.execPath, '--import', 'tsx', script, path, String(bytes)];
  const result = how.setup
    ? spawnSync('unshare', ['--mount', 'sh', '-c', `${how.setup} && exec "$@"`, 'sh', ...node], {
        encoding: 'utf8',
        cwd: resolve(__dirname),
      })
    : spawnSync(node[0] as string, node.slice(1), {
        encoding: 'utf8',
        uid: how.uid,
        gid: how.uid,
        cwd: resolve(__dirname),
      });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

describe('writeFileAtomic says which file it could not write and what to do', () => {
  it('EACCES: a folder this user may not write in', () => {
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    const path = join(locked, 'ca.crt');
    const error = writeInChild(path, 10, { uid: 65534 });
    expect(error.code).toBe('ERR_FILE_WRITE');
    expect(error.message).toBe(`Cannot write ${path}: permission denied (EACCES).`);
    expect(error.hint).toBe(`Run as a user who may write it (ls -l ${locked}), or change its owner or mode.`);
    expect(error.left).toEqual([]);
  });

  it('EROFS: a read-only filesystem', () => {
    const mount = join(dir, 'ro');
    mkdirSync(mount);
    const path = join(mount, 'homeCA.pem');
    const error = writeInChild(path, 10, { setup: `mount -t tmpfs -o ro tmpfs ${mount}` });
    expect(error.code).toBe('ERR_FILE_WRITE');
    expect(error.message).toBe(`Cannot write ${path}: the file system is read-only (EROFS).`);
    expect(error.hint).toBe(`Run where ${mount} is writable, or remount it read-write.`);
    expect(error.left).toEqual([]);
  });

  it('ENOSPC: a full filesystem, leaving no partial file behind', () => {
    const mount = join(dir, 'small');
    mkdirSync(mount);
    const path = join(mount, 'big.key');
    const error = writeInChild(path, 1024 * 1024, {
      setup: `mount -t tmpfs -o size=64k tmpfs ${mount} && echo old > ${path}`,
    });
    expect(error.code).toBe('ERR_FILE_WRITE');
    expect(error.message).toBe(`Cannot write ${path}: no space left on the device (ENOSPC).`);
    expect(error.hint).toBe(`Free some space (df -h ${mount}) and run again.`);
    expect(error.left).toEqual(['big.key']);
    expect(error.kept).toBe('old\n');
  });
});
