import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { formatCommand, runCommand } from './run-command';

describe('runCommand', () => {
  it('captures stdout, stderr and the exit code, and streams each line as it arrives', async () => {
    const logger = createMemoryLogger();
    const result = await runCommand('sh', ['-c', 'echo one; echo two >&2; echo three; exit 3'], {
      logger,
      prefix: '[t] ',
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('one\nthree\n');
    expect(result.stderr).toBe('two\n');
    expect(logger.lines.sort()).toEqual(['[t] one', '[t] three', '[t] two']);
  });

  it('masks secrets in the shown command and in the output', async () => {
    const logger = createMemoryLogger();
    const result = await runCommand('sh', ['-c', 'echo "token=s3cr3t-pw"', 'name', 's3cr3t-pw'], {
      logger,
      secrets: ['s3cr3t-pw'],
    });
    expect(result.command).not.toContain('s3cr3t-pw');
    expect(result.stdout).toBe('token=***\n');
    expect(logger.lines.join('\n')).not.toContain('s3cr3t-pw');
  });

  it('writes input to standard input', async () => {
    const result = await runCommand('cat', [], { input: 'from stdin' });
    expect(result.stdout).toBe('from stdin');
  });

  it('says plainly when the program is not installed', async () => {
    const error = await runCommand('homefaas-no-such-program', []).catch((e: unknown) => e);
    expect(isHomefaasError(error, 'ERR_COMMAND_NOT_FOUND')).toBe(true);
  });
});

describe('formatCommand', () => {
  it('quotes arguments a shell would split', () => {
    expect(formatCommand('docker', ['buildx', 'build', '--label', "a b's"])).toBe(
      "docker buildx build --label 'a b'\\''s'",
    );
  });
});
