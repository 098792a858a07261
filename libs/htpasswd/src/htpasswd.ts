import { HomefaasError } from '@homefaas/core';
import bcrypt from 'bcryptjs';

/** One user line of an htpasswd file; `line` is 1-based. */
export interface HtpasswdEntry {
  user: string;
  hash: string;
  line: number;
}

/** Options of {@link setUser}. */
export interface SetUserOptions {
  /** bcrypt cost (log2 rounds), 4 to 31; default {@link DEFAULT_BCRYPT_COST} (`htpasswd -B` takes it as `-C`). */
  cost?: number;
}

/**
 * The bcrypt cost of new lines: 5, as `htpasswd -B` writes by default. The registry checks the password on
 * every request, and one image push makes about sixty: at cost 10 (about 80 ms per check here) publishing
 * thirty functions spends minutes of the registry's CPU on it. The strength of a registry password is its
 * length and randomness, which a higher cost cannot make up for.
 */
export const DEFAULT_BCRYPT_COST = 5;
// bcrypt with any of the minors Go's bcrypt (and so Distribution) accepts; 22 salt + 31 hash characters.
const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
// bcrypt ignores everything past 72 bytes, and newer Go bcrypt refuses such passwords outright.
const BCRYPT_MAX_PASSWORD_BYTES = 72;

interface Line {
  /** The line as written, without its `\n`. */
  raw: string;
  entry?: HtpasswdEntry;
}

/**
 * The user lines of an htpasswd file, read the way Distribution reads it (blank lines and lines starting
 * with `#` are skipped, surrounding whitespace ignored). Throws ERR_HTPASSWD_FORMAT for a line that is not
 * `user:<bcrypt hash>`, since Distribution accepts bcrypt only.
 */
export function parseHtpasswd(text: string): HtpasswdEntry[] {
  return splitLines(text).flatMap((line) => (line.entry ? [line.entry] : []));
}

/**
 * Adds `user` or replaces its password, writing a `$2y$` line like `htpasswd -B`. Every other line stays
 * byte-identical; the result ends with a newline. Later duplicate lines of the same user are dropped, since
 * Distribution would let the last one win.
 */
export function setUser(text: string, user: string, password: string, options: SetUserOptions = {}): string {
  assertUser(user);
  assertPassword(password);
  const cost = options.cost ?? DEFAULT_BCRYPT_COST;
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) {
    throw new HomefaasError('ERR_HTPASSWD_COST', `bcrypt cost ${cost} is out of range.`, {
      hint: `Use a whole number from 4 to 31; ${DEFAULT_BCRYPT_COST} is the default.`,
    });
  }
  const lines = splitLines(text);
  const salt = bcrypt.genSaltSync(cost).replace(/^\$2b\$/, '$2y$');
  const newLine = `${user}:${bcrypt.hashSync(password, salt)}`;
  let replaced = false;
  const out: string[] = [];
  for (const line of lines) {
    if (line.entry?.user !== user) {
      out.push(line.raw);
    } else if (!replaced) {
      out.push(line.raw.endsWith('\r') ? `${newLine}\r` : newLine);
      replaced = true;
    }
  }
  if (!replaced) out.push(newLine);
  return joinLines(out);
}

/** Removes every line of `user`; other lines stay byte-identical. Unchanged text when the user is absent. */
export function removeUser(text: string, user: string): string {
  const lines = splitLines(text);
  if (!lines.some((line) => line.entry?.user === user)) return text;
  return joinLines(lines.filter((line) => line.entry?.user !== user).map((line) => line.raw));
}

/** True when `user` has a line whose bcrypt hash (`$2a$`, `$2b$` or `$2y$`) matches `password`. */
export function verifyUser(text: string, user: string, password: string): boolean {
  const entry = findLast(parseHtpasswd(text), user);
  return entry !== undefined && bcrypt.compareSync(password, entry.hash);
}

/** The bcrypt cost of `user`'s line, when the file has one. */
export function costOf(text: string, user: string): number | undefined {
  const entry = findLast(parseHtpasswd(text), user);
  return entry === undefined ? undefined : bcrypt.getRounds(entry.hash);
}

/** True when the file has a line for `user`. */
export function hasUser(text: string, user: string): boolean {
  return findLast(parseHtpasswd(text), user) !== undefined;
}

// The last line wins, as in Distribution's parser.
function findLast(entries: HtpasswdEntry[], user: string): HtpasswdEntry | undefined {
  return entries.filter((entry) => entry.user === user).pop();
}

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const raws = text.split('\n');
  if (raws[raws.length - 1] === '') raws.pop();
  return raws.map((raw, index) => ({ raw, entry: parseLine(raw, index + 1) }));
}

function joinLines(raws: string[]): string {
  return raws.length === 0 ? '' : `${raws.join('\n')}\n`;
}

function parseLine(raw: string, line: number): HtpasswdEntry | undefined {
  const text = raw.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const colon = text.indexOf(':');
  // The line itself is never quoted back: it may be a password pasted by mistake.
  if (colon <= 0) {
    throw new HomefaasError('ERR_HTPASSWD_FORMAT', `htpasswd line ${line} is not of the form user:hash.`, {
      hint: `Fix or delete line ${line}, then add the user again with a bcrypt hash (htpasswd -B, or nx g registry).`,
    });
  }
  const user = text.slice(0, colon);
  const hash = text.slice(colon + 1);
  if (!BCRYPT_HASH.test(hash)) {
    throw new HomefaasError(
      'ERR_HTPASSWD_FORMAT',
      `htpasswd line ${line} (user "${user}") does not hold a bcrypt hash; the registry accepts bcrypt ($2y$) only.`,
      { hint: `Set that user's password again with bcrypt (htpasswd -B), or delete line ${line}.` },
    );
  }
  return { user, hash, line };
}

function assertUser(user: string): void {
  // Distribution trims lines and skips those starting with '#', so such names could never log in.
  if (user === '' || user.includes(':') || /[\s\p{Cc}]/u.test(user) || user.startsWith('#')) {
    throw new HomefaasError('ERR_HTPASSWD_USER', `"${user}" cannot be an htpasswd user name.`, {
      hint: 'Use a non-empty name without ":", whitespace or control characters, not starting with "#".',
    });
  }
}

function assertPassword(password: string): void {
  if (password === '') {
    throw new HomefaasError('ERR_HTPASSWD_PASSWORD', 'The password is empty.', {
      hint: 'Give a non-empty password.',
    });
  }
  if (new TextEncoder().encode(password).length > BCRYPT_MAX_PASSWORD_BYTES) {
    throw new HomefaasError(
      'ERR_HTPASSWD_PASSWORD',
      'The password is longer than 72 bytes, the most bcrypt uses.',
      {
        hint: 'Choose a password of at most 72 bytes.',
      },
    );
  }
}
