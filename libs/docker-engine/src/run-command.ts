import { spawn } from 'node:child_process';
import { HomefaasError, type Logger, redact, SILENT_LOGGER } from '@homefaas/core';

/** Input of {@link runCommand}. */
export interface RunCommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's standard input, then closed (for `docker login --password-stdin`). */
  input?: string;
  /** Values masked in everything printed or returned: the command line and the output. */
  secrets?: ReadonlyArray<string | undefined>;
  /** Receives each output line as it arrives, prefixed, through `progress`. */
  logger?: Logger;
  /** Put before each streamed line, e.g. `[hello-world] `. */
  prefix?: string;
}

/** What a finished process left: its exit code and its (redacted) output. */
export interface CommandResult {
  /** The command line as it may be shown, secrets masked. */
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
}

/** The command line as a person would type it, with secrets masked. */
export function formatCommand(
  command: string,
  args: readonly string[],
  secrets: RunCommandOptions['secrets'] = [],
): string {
  const quoted = [command, ...args].map((part) =>
    /^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replaceAll("'", "'\\''")}'`,
  );
  return redact(quoted.join(' '), secrets);
}

/**
 * The one place homefaas starts a process (`docker buildx ...`, `docker login ...`). Output is streamed
 * line by line to the logger as it happens and captured; a non-zero exit is returned, not thrown, so the
 * caller can turn the tool's own error into one a person can act on. A command that cannot start at all
 * (not installed) throws `ERR_COMMAND_NOT_FOUND`.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const { logger = SILENT_LOGGER, prefix = '', secrets = [] } = options;
  const shown = formatCommand(command, args, secrets);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const chunks = { stdout: [] as string[], stderr: [] as string[], output: [] as string[] };
    const pending = { stdout: '', stderr: '' };
    const onData = (stream: 'stdout' | 'stderr') => (data: Buffer) => {
      const text = redact(data.toString('utf8'), secrets);
      chunks[stream].push(text);
      chunks.output.push(text);
      const lines = (pending[stream] + text).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) logger.progress(`${prefix}${line}`);
    };
    child.stdout?.on('data', onData('stdout'));
    child.stderr?.on('data', onData('stderr'));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new HomefaasError(
            'ERR_COMMAND_NOT_FOUND',
            `Could not run \`${command}\`: it is not installed or not on PATH.`,
            {
              hint: `Install ${command} (see the README's setup command), then run again.`,
              cause: error,
            },
          ),
        );
      } else {
        reject(
          new HomefaasError('ERR_COMMAND_FAILED', `Could not run \`${shown}\`: ${error.message}`, {
            cause: error,
          }),
        );
      }
    });
    child.on('close', (code, signal) => {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (pending[stream]) logger.progress(`${prefix}${pending[stream]}`);
      }
      resolve({
        command: shown,
        exitCode: code ?? (signal ? 128 : 1),
        stdout: chunks.stdout.join(''),
        stderr: chunks.stderr.join(''),
        output: chunks.output.join(''),
      });
    });
    if (child.stdin) {
      // A child that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}
