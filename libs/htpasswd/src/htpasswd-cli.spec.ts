import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHtpasswd, setUser, verifyUser } from './index';

// Cross-checks against Apache's own htpasswd (apache2-utils), in both directions.
const dir = mkdtempSync(join(tmpdir(), 'homefaas-htpasswd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORDS = ['secret', 'p a:ss w$rd', 'ünïcødé-🔑', 'x'.repeat(72)];
// Differs in the first byte: bcrypt ignores anything past 72 bytes, so appending would not do.
const wrong = (password: string) => `Z${password.slice(1)}`;

function apacheVerifies(text: string, user: string, password: string): number | null {
  const file = join(dir, 'users');
  writeFileSync(file, text);
  return spawnSync('htpasswd', ['-vb', file, user, password], { encoding: 'utf8' }).status;
}

describe('htpasswd -vb accepts what setUser writes', () => {
  it.each(PASSWORDS)('password %j', (password) => {
    const text = setUser(setUser('', 'other', 'unrelated', { cost: 4 }), 'homefaas', password, { cost: 5 });
    expect(apacheVerifies(text, 'homefaas', password)).toBe(0);
    expect(apacheVerifies(text, 'homefaas', wrong(password))).toBe(3);
  });

  it('with the default cost', () => {
    const text = setUser('', 'homefaas', 'secret');
    expect(apacheVerifies(text, 'homefaas', 'secret')).toBe(0);
  });
});

describe('verifyUser accepts what htpasswd -nbB writes', () => {
  it.each(PASSWORDS)('password %j', (password) => {
    const line = execFileSync('htpasswd', ['-nbB', '-C', '4', 'homefaas', password], { encoding: 'utf8' });
    expect(line).toMatch(/^homefaas:\$2y\$04\$/);
    expect(parseHtpasswd(line).map((entry) => entry.user)).toEqual(['homefaas']);
    expect(verifyUser(line, 'homefaas', password)).toBe(true);
    expect(verifyUser(line, 'homefaas', wrong(password))).toBe(false);
  });

  it('and a file that htpasswd -bB updated after us keeps our other lines', () => {
    const file = join(dir, 'mixed');
    writeFileSync(file, setUser('', 'ours', 'one', { cost: 4 }));
    execFileSync('htpasswd', ['-bB', '-C', '4', file, 'theirs', 'two']);
    const text = execFileSync('cat', [file], { encoding: 'utf8' });
    expect(verifyUser(text, 'ours', 'one')).toBe(true);
    expect(verifyUser(text, 'theirs', 'two')).toBe(true);
  });
});
