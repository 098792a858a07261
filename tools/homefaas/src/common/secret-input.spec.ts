import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readOptionalSecret, readSecret, type SecretPromptInput } from './secret-input';

const dir = mkdtempSync(join(tmpdir(), 'homefaas-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VARS = { envVar: 'TEST_PASSPHRASE', fileEnvVar: 'TEST_PASSPHRASE_FILE', label: 'Test passphrase' };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A fake terminal: isTTY, records raw mode, and an output that captures what the prompt printed. */
function terminal(typed: string[]): {
  input: SecretPromptInput;
  output: PassThrough;
  printed: () => string;
  raw: boolean[];
} {
  const input = new PassThrough() as PassThrough & SecretPromptInput;
  const raw: boolean[] = [];
  input.isTTY = true;
  input.setRawMode = (mode: boolean) => raw.push(mode);
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk) => {
    printed += chunk;
    // Answer each prompt as it appears, like a person would.
    if (!String(chunk).endsWith(': ')) return;
    const answer = typed.shift();
    if (answer !== undefined) setImmediate(() => input.write(answer));
  });
  return { input, output, printed: () => printed, raw };
}

describe('readSecret', () => {
  it.each([
    [
      'the variable',
      { TEST_PASSPHRASE: 'from env', TEST_PASSPHRASE_FILE: file('unused', 'from file') },
      'from env',
    ],
    [
      'the file, one trailing newline trimmed',
      { TEST_PASSPHRASE_FILE: file('nl', 'from file\n') },
      'from file',
    ],
    ['the file, CRLF trimmed', { TEST_PASSPHRASE_FILE: file('crlf', 'from file\r\n') }, 'from file'],
    ['the file, only one newline trimmed', { TEST_PASSPHRASE_FILE: file('two', 'two\n\n') }, 'two\n'],
    ['the file, inner spaces kept', { TEST_PASSPHRASE_FILE: file('sp', ' a b ') }, ' a b '],
    [
      'the file when the variable is empty',
      { TEST_PASSPHRASE: '', TEST_PASSPHRASE_FILE: file('f2', 'x') },
      'x',
    ],
  ])('reads %s', async (_label, env, expected) => {
    await expect(readSecret({ ...VARS, env, input: new PassThrough() })).resolves.toBe(expected);
  });

  it('without variables and without a terminal fails naming both variables and not asking', async () => {
    const attempt = readSecret({ ...VARS, env: {}, input: new PassThrough() });
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_SECRET_MISSING' });
    await expect(attempt).rejects.toSatisfy(
      (error: { hint?: string }) =>
        !!error.hint?.includes('TEST_PASSPHRASE') && !!error.hint.includes('TEST_PASSPHRASE_FILE'),
    );
  });

  it.each([
    ['an empty file', file('empty', ''), 'ERR_SECRET_EMPTY'],
    ['a file with only a newline', file('onlynl', '\n'), 'ERR_SECRET_EMPTY'],
    ['a missing file', join(dir, 'missing'), 'ERR_SECRET_FILE'],
  ])('refuses %s', async (_label, path, code) => {
    await expect(
      readSecret({ ...VARS, env: { TEST_PASSPHRASE_FILE: path }, input: new PassThrough() }),
    ).rejects.toMatchObject({
      code,
    });
  });

  it('names the file in the error so a person can fix it', async () => {
    const path = file('empty-again', '');
    const error = await readSecret({ ...VARS, env: { TEST_PASSPHRASE_FILE: path } }).catch(
      (caught) => caught,
    );
    expect(`${error.message} ${error.hint}`).toContain(path);
  });

  it('asks on a terminal in raw mode, without echoing what is typed', async () => {
    const tty = terminal(['typed secret\r']);
    await expect(readSecret({ ...VARS, env: {}, input: tty.input, output: tty.output })).resolves.toBe(
      'typed secret',
    );
    expect(tty.printed()).toBe('Test passphrase: \n');
    expect(tty.raw).toEqual([true, false]);
  });

  it('handles backspace at the prompt', async () => {
    const tty = terminal(['abx\u007fc\n']);
    await expect(readSecret({ ...VARS, env: {}, input: tty.input, output: tty.output })).resolves.toBe('abc');
  });

  it('with confirm, asks twice and accepts matching answers', async () => {
    const tty = terminal(['same\r', 'same\r']);
    await expect(
      readSecret({ ...VARS, env: {}, confirm: true, input: tty.input, output: tty.output }),
    ).resolves.toBe('same');
    expect(tty.printed()).toBe('Test passphrase: \nTest passphrase (again): \n');
  });

  it('with confirm, refuses answers that differ', async () => {
    const tty = terminal(['one\r', 'two\r']);
    await expect(
      readSecret({ ...VARS, env: {}, confirm: true, input: tty.input, output: tty.output }),
    ).rejects.toMatchObject({ code: 'ERR_SECRET_MISMATCH' });
  });

  it('an empty answer at the prompt is refused', async () => {
    const tty = terminal(['\r']);
    await expect(
      readSecret({ ...VARS, env: {}, input: tty.input, output: tty.output }),
    ).rejects.toMatchObject({
      code: 'ERR_SECRET_MISSING',
    });
  });

  it('Ctrl-C at the prompt aborts', async () => {
    const tty = terminal(['ab\u0003']);
    await expect(
      readSecret({ ...VARS, env: {}, input: tty.input, output: tty.output }),
    ).rejects.toMatchObject({
      code: 'ERR_SECRET_ABORTED',
    });
  });
});

describe('readOptionalSecret', () => {
  it('is undefined without variables and without a terminal', async () => {
    await expect(readOptionalSecret({ ...VARS, env: {}, input: new PassThrough() })).resolves.toBeUndefined();
  });

  it('is undefined for an empty answer at the prompt (the caller falls back)', async () => {
    const tty = terminal(['\n']);
    await expect(
      readOptionalSecret({ ...VARS, env: {}, input: tty.input, output: tty.output }),
    ).resolves.toBeUndefined();
  });
});
