import { readFile } from 'node:fs/promises';
import { HomefaasError } from '@homefaas/core';

/** A terminal-like input: `process.stdin` in production, a stream with `isTTY` in tests. */
export interface SecretPromptInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Environment variables of the registry user's password. */
export const REGISTRY_PASSWORD_ENV = Object.freeze({
  envVar: 'REGISTRY_PASSWORD',
  fileEnvVar: 'REGISTRY_PASSWORD_FILE',
});

/** Where a secret comes from, in order: `envVar`, the file named by `fileEnvVar`, a no-echo prompt on a TTY. */
export interface SecretSpec {
  /** e.g. `HOMEFAAS_CA_PASSPHRASE`. */
  envVar: string;
  /** e.g. `HOMEFAAS_CA_PASSPHRASE_FILE`. */
  fileEnvVar: string;
  /** What the prompt asks for, e.g. `CA passphrase`. */
  label: string;
  env?: NodeJS.ProcessEnv;
  /** Ask twice at the prompt and require both answers to agree (for a new passphrase). */
  confirm?: boolean;
  /** Prompt input; defaults to `process.stdin`. The prompt is used only when `input.isTTY`. */
  input?: SecretPromptInput;
  /** Where the prompt label goes; defaults to `process.stderr` so stdout stays clean. */
  output?: NodeJS.WritableStream;
}

/**
 * Reads a secret from the environment, a file, or a no-echo prompt. Never empty; the value is never echoed,
 * logged or put in an error message.
 */
export async function readSecret(spec: SecretSpec): Promise<string> {
  const value = await readOptionalSecret(spec);
  if (value === undefined) {
    throw new HomefaasError('ERR_SECRET_MISSING', `No ${spec.label} given and no terminal to ask for it.`, {
      hint: `Set ${spec.envVar}, or ${spec.fileEnvVar} to the path of a file that contains it.`,
    });
  }
  return value;
}

/**
 * Like {@link readSecret}, but resolves `undefined` when neither variable is set and there is no terminal, or
 * when the person answers the prompt with an empty line (so a caller can fall back to another secret).
 */
export async function readOptionalSecret(spec: SecretSpec): Promise<string | undefined> {
  const env = spec.env ?? process.env;
  const direct = env[spec.envVar];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[spec.fileEnvVar];
  if (file !== undefined && file !== '') return readSecretFile(file, spec);
  const input = spec.input ?? (process.stdin as SecretPromptInput);
  if (!input.isTTY) return undefined;
  const output = spec.output ?? process.stderr;
  const first = await promptHidden(input, output, `${spec.label}: `);
  if (first === '') return undefined;
  if (spec.confirm) {
    const second = await promptHidden(input, output, `${spec.label} (again): `);
    if (second !== first) {
      throw new HomefaasError('ERR_SECRET_MISMATCH', `The two ${spec.label} entries differ.`, {
        hint: 'Run the command again and type the same value twice.',
      });
    }
  }
  return first;
}

async function readSecretFile(file: string, spec: SecretSpec): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HomefaasError('ERR_SECRET_FILE', `Cannot read ${spec.fileEnvVar} (${file}).`, {
      hint: `Point ${spec.fileEnvVar} at a readable file, or set ${spec.envVar} instead.`,
      cause: error,
    });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') {
    throw new HomefaasError('ERR_SECRET_EMPTY', `The file named by ${spec.fileEnvVar} (${file}) is empty.`, {
      hint: `Write the ${spec.label} into it, or set ${spec.envVar} instead.`,
    });
  }
  return value;
}

/** Reads one line without echoing it: raw mode when available, the typed characters are never written back. */
function promptHidden(
  input: SecretPromptInput,
  output: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  output.write(question);
  const raw = typeof input.setRawMode === 'function';
  if (raw) input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: HomefaasError) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      if (raw) input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onEnd = () => finish();
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') {
          return finish(new HomefaasError('ERR_SECRET_ABORTED', 'Interrupted while reading the secret.'));
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
    input.on('end', onEnd);
  });
}
