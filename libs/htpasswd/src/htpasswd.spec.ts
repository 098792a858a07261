import { type ErrorCode, isHomefaasError } from '@homefaas/core';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { costOf, hasUser, parseHtpasswd, removeUser, setUser, verifyUser } from './index';

// Lines recorded from apache2-utils 2.4 `htpasswd -nb[B|m|2|5|s|d|p]`; the bcrypt ones have password "secret".
const CAROL_2Y = 'carol:$2y$04$NDeaSGaK7gL5DS/95iq5Pum.cyU6txnh39pbFE1UiflgGrekJy5qK';
const ALICE_2Y = 'alice:$2y$05$hQxABwnB2.NrehZdVDkkhuQNDkoyJel4vLoYZmMdVpXZs5iK4AI6m'; // "p a:ss"
const NON_BCRYPT = {
  md5: 'bob:$apr1$va57YEkx$7w6xY/DZ9pb86xH5kPEwB0',
  sha256: 'bob:$5$5eOtiqEVdC0Uxo1M$JwYZzMtSHR2djEV/G8Pqr4L39Kj1VPqRO9ZcCfCmMg/',
  sha512:
    'bob:$6$zIkyfuF0lM.4Z6DM$gdEt8de66ecpDlI425Co3Bn1pNMWbSqo5tX.lUUNpHnkBrM3Z.bnN7WFoxJAuuZqE2h67RsSzo8TQDPeJJy350',
  sha1: 'bob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=',
  crypt: 'bob:DoanQch6zCwZY',
  plain: 'bob:secret',
  emptyHash: 'bob:',
  truncatedBcrypt: 'bob:$2y$04$NDeaSGaK7gL5DS/95iq5Pum.cyU6txnh39pbFE1UiflgGrekJy5q',
};

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseHtpasswd', () => {
  it.each([
    ['empty text', '', []],
    ['one line with newline', `${CAROL_2Y}\n`, [['carol', 1]]],
    ['one line without newline', CAROL_2Y, [['carol', 1]]],
    [
      'comments and blank lines skipped',
      `# users\n\n${CAROL_2Y}\n   \n${ALICE_2Y}\n`,
      [
        ['carol', 3],
        ['alice', 5],
      ],
    ],
    [
      'CRLF and surrounding spaces',
      `  ${CAROL_2Y}  \r\n${ALICE_2Y}\r\n`,
      [
        ['carol', 1],
        ['alice', 2],
      ],
    ],
  ])('%s', (_name, text, expected) => {
    const entries = parseHtpasswd(text);
    expect(entries.map((entry) => [entry.user, entry.line])).toEqual(expected);
    for (const entry of entries) expect(entry.hash).toMatch(/^\$2y\$0[45]\$[./A-Za-z0-9]{53}$/);
  });

  it.each(Object.entries(NON_BCRYPT))('refuses a %s line, naming its line number', (_kind, line) => {
    const error = thrownBy(() => parseHtpasswd(`# header\n${CAROL_2Y}\n${line}\n`));
    expect(isHomefaasError(error, 'ERR_HTPASSWD_FORMAT')).toBe(true);
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toContain('line 3');
    expect(message).toContain('bcrypt');
    expect(hint).toContain('line 3');
    // The stored hash (or a password written in clear) is never echoed back.
    if (line.length > 4) expect(message).not.toContain(line.slice(4));
  });

  it('refuses a line without a user name, never quoting the line', () => {
    const error = thrownBy(() => parseHtpasswd(`${CAROL_2Y}\nhunter2\n:$2y$04$x\n`));
    expect(isHomefaasError(error, 'ERR_HTPASSWD_FORMAT')).toBe(true);
    expect((error as Error).message).toContain('line 2');
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('setUser', () => {
  it('adds the first user with a $2y$ line of cost 5 (htpasswd -B’s) by default and a trailing newline', () => {
    const text = setUser('', 'homefaas', 'secret');
    expect(text).toMatch(/^homefaas:\$2y\$05\$[./A-Za-z0-9]{53}\n$/);
    expect(verifyUser(text, 'homefaas', 'secret')).toBe(true);
  });

  it.each([4, 5, 12])('writes the cost it is given (%i), and costOf reads it back', (cost) => {
    const text = setUser('', 'u', 'pw', { cost });
    expect(text.startsWith(`u:$2y$${String(cost).padStart(2, '0')}$`)).toBe(true);
    expect(bcrypt.getRounds(parseHtpasswd(text)[0]?.hash ?? '')).toBe(cost);
    expect(costOf(text, 'u')).toBe(cost);
    expect(costOf(text, 'nobody')).toBeUndefined();
  });

  it('appends after a last line that has no newline, leaving it byte-identical', () => {
    const text = setUser(CAROL_2Y, 'dave', 'pw', { cost: 4 });
    const lines = text.split('\n');
    expect(lines[0]).toBe(CAROL_2Y);
    expect(lines[1]).toMatch(/^dave:\$2y\$04\$/);
    expect(lines[2]).toBe('');
    expect(lines).toHaveLength(3);
  });

  it('updates a user in place and leaves every other line byte-identical', () => {
    const before = `# registry users\r\n${CAROL_2Y}\r\n\n  ${ALICE_2Y}\n# end\n`;
    const after = setUser(before, 'carol', 'new password', { cost: 4 });
    const [comment, carol, blank, alice, end, last] = after.split('\n');
    expect(comment).toBe('# registry users\r');
    expect(carol).toMatch(/^carol:\$2y\$04\$[./A-Za-z0-9]{53}\r$/);
    expect(carol).not.toBe(`${CAROL_2Y}\r`);
    expect([blank, alice, end, last]).toEqual(['', `  ${ALICE_2Y}`, '# end', '']);
    expect(verifyUser(after, 'carol', 'new password')).toBe(true);
    expect(verifyUser(after, 'carol', 'secret')).toBe(false);
    expect(verifyUser(after, 'alice', 'p a:ss')).toBe(true);
  });

  it('drops later duplicate lines of the user, which would otherwise win', () => {
    const before = `${CAROL_2Y}\n${ALICE_2Y}\n${CAROL_2Y}\n`;
    const after = setUser(before, 'carol', 'other', { cost: 4 });
    expect(parseHtpasswd(after).map((entry) => entry.user)).toEqual(['carol', 'alice']);
    expect(verifyUser(after, 'carol', 'other')).toBe(true);
  });

  it.each<[string, string, string, ErrorCode]>([
    ['an empty user', '', 'pw', 'ERR_HTPASSWD_USER'],
    ['a user with a colon', 'a:b', 'pw', 'ERR_HTPASSWD_USER'],
    ['a user with a space', 'a b', 'pw', 'ERR_HTPASSWD_USER'],
    ['a user with a newline', 'a\nb', 'pw', 'ERR_HTPASSWD_USER'],
    ['a user read as a comment', '#a', 'pw', 'ERR_HTPASSWD_USER'],
    ['an empty password', 'a', '', 'ERR_HTPASSWD_PASSWORD'],
    ['a password past 72 bytes', 'a', 'é'.repeat(37), 'ERR_HTPASSWD_PASSWORD'],
  ])('refuses %s', (_name, user, password, code) => {
    const error = thrownBy(() => setUser(CAROL_2Y, user, password, { cost: 4 }));
    expect(isHomefaasError(error, code)).toBe(true);
    expect((error as { hint?: string }).hint).toBeTruthy();
    if (password) expect((error as Error).message).not.toContain(password);
  });

  it('accepts a password of exactly 72 bytes', () => {
    expect(verifyUser(setUser('', 'a', 'x'.repeat(72), { cost: 4 }), 'a', 'x'.repeat(72))).toBe(true);
  });

  it.each([3, 32, 10.5])('refuses cost %s', (cost) => {
    expect(
      isHomefaasError(
        thrownBy(() => setUser('', 'a', 'pw', { cost })),
        'ERR_HTPASSWD_COST',
      ),
    ).toBe(true);
  });

  it('refuses to rewrite a file with a non-bcrypt line', () => {
    const error = thrownBy(() => setUser(`${NON_BCRYPT.md5}\n`, 'carol', 'pw', { cost: 4 }));
    expect(isHomefaasError(error, 'ERR_HTPASSWD_FORMAT')).toBe(true);
  });
});

describe('removeUser', () => {
  it.each([
    ['removes the user and keeps the rest', `# c\n${CAROL_2Y}\n${ALICE_2Y}\n`, 'carol', `# c\n${ALICE_2Y}\n`],
    ['removes every duplicate', `${CAROL_2Y}\n${ALICE_2Y}\n${CAROL_2Y}\n`, 'carol', `${ALICE_2Y}\n`],
    ['removes the only user', `${CAROL_2Y}\n`, 'carol', ''],
    ['keeps CRLF lines as they were', `${ALICE_2Y}\r\n${CAROL_2Y}\r\n`, 'carol', `${ALICE_2Y}\r\n`],
    ['returns the text untouched for an absent user', `${CAROL_2Y}`, 'nobody', `${CAROL_2Y}`],
  ])('%s', (_name, before, user, after) => {
    expect(removeUser(before, user)).toBe(after);
  });
});

describe('verifyUser and hasUser', () => {
  const hash = bcrypt.hashSync('secret', 4).slice(4);
  const file = [`a2a:$2a$${hash}`, `b2b:$2b$${hash}`, `y2y:$2y$${hash}`, CAROL_2Y, ALICE_2Y].join('\n');

  it.each([
    ['a2a', 'secret', true],
    ['b2b', 'secret', true],
    ['y2y', 'secret', true],
    ['carol', 'secret', true],
    ['alice', 'p a:ss', true],
    ['carol', 'Secret', false],
    ['alice', 'p a', false],
    ['nobody', 'secret', false],
  ])('verifyUser(%s, %s) is %s', (user, password, expected) => {
    expect(verifyUser(file, user, password)).toBe(expected);
  });

  it('lets the last line of a duplicated user win, as Distribution does', () => {
    const older = setUser('', 'carol', 'old', { cost: 4 });
    expect(verifyUser(`${older}${CAROL_2Y}\n`, 'carol', 'secret')).toBe(true);
    expect(verifyUser(`${older}${CAROL_2Y}\n`, 'carol', 'old')).toBe(false);
  });

  it.each([
    ['carol', true],
    ['alice', true],
    ['bob', false],
    ['', false],
  ])('hasUser(%s) is %s', (user, expected) => {
    expect(hasUser(file, user)).toBe(expected);
  });
});
