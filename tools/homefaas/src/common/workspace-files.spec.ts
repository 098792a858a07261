import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { writePlannedFiles } from './workspace-files';

let root: string;
const roots: string[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'homefaas-workspace-files-'));
  roots.push(root);
});
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

describe('writePlannedFiles', () => {
  it('never writes over an exclusive file, and removes the exclusive files it created before the refusal', async () => {
    const key = join(root, 'infra/ca/homeCA.key');
    const cert = join(root, 'infra/ca/homeCA.pem');
    mkdirSync(join(root, 'infra/ca'), { recursive: true });
    writeFileSync(cert, 'a certificate that was there\n');
    const error = await writePlannedFiles(
      [
        { path: key, data: 'new key', mode: 0o600, exclusive: true },
        { path: cert, data: 'new certificate', mode: 0o644, exclusive: true },
      ],
      root,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'ERR_FILE_EXISTS',
      message: 'Refusing to write infra/ca/homeCA.pem: the file already exists.',
    });
    expect(readFileSync(cert, 'utf8')).toBe('a certificate that was there\n');
    expect(() => statSync(key)).toThrow(/ENOENT/);
    expect(readdirSync(join(root, 'infra/ca'))).toEqual(['homeCA.pem']);
  });

  it('creates an exclusive file whole, with its mode from the first byte', async () => {
    const key = join(root, 'k/homeCA.key');
    await writePlannedFiles([{ path: key, data: 'secret', mode: 0o600, exclusive: true }], root);
    expect(readFileSync(key, 'utf8')).toBe('secret');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, 'k'))).toEqual(['homeCA.key']);
  });
});
