import { dirname } from 'node:path';
import { type ErrorCode, errorMessage, HomefaasError, isHomefaasError } from '@homefaas/core';

/** How {@link fileError} names the file and the error. */
export interface FileErrorContext {
  /** The path as the user knows it (relative to the workspace when inside it). */
  shown: string;
  action: 'read' | 'write';
  /** Words before the path (`the CA key`); none by default. */
  label?: string;
  /** Error code instead of ERR_FILE_READ / ERR_FILE_WRITE. */
  code?: ErrorCode;
}

/**
 * A file error as a person can act on it: the file, what went wrong in words and the errno, and a hint per
 * cause (permissions, read-only or full file system, a folder in the way). A file that must not be
 * replaced is ERR_FILE_EXISTS.
 */
export function fileError(error: unknown, context: FileErrorContext): HomefaasError {
  if (isHomefaasError(error)) return error;
  const { shown, action } = context;
  const name = context.label ? `${context.label} ${shown}` : shown;
  const errno = (error as NodeJS.ErrnoException).code ?? '';
  if (errno === 'EEXIST' && action === 'write') {
    return new HomefaasError('ERR_FILE_EXISTS', `Refusing to write ${name}: the file already exists.`, {
      hint: 'It is not replaced, so nothing is lost. Move it aside yourself if it is no longer needed, then run again.',
      cause: error,
    });
  }
  const where = dirname(shown);
  const access = `Run as a user who may ${action} it (ls -l ${where}), or change its owner or mode.`;
  const known: Record<string, [string, string]> = {
    EACCES: ['permission denied', access],
    EPERM: ['operation not permitted', access],
    EROFS: ['the file system is read-only', `Run where ${where} is writable, or remount it read-write.`],
    ENOSPC: ['no space left on the device', `Free some space (df -h ${where}) and run again.`],
    EDQUOT: ['the disk quota is exceeded', 'Free some space in your quota and run again.'],
    ENOTDIR: [
      'a part of its path is a file, not a folder',
      `Each folder on the way to ${shown} must be a folder.`,
    ],
    EISDIR: ['it is a folder', `Rename the folder ${shown}, or point the setting at a file.`],
    ENOTEMPTY: ['it is a folder', `Rename the folder ${shown}, or point the setting at a file.`],
    ELOOP: ['its path has a symbolic link loop', `Fix the links along ${shown}.`],
    EIO: [
      'an input/output error (a failing disk?)',
      `Check the disk (dmesg), then restore ${shown} from a backup.`,
    ],
  };
  const [problem, hint] = known[errno] ?? [
    errorMessage(error),
    `Check ${shown} and its folder, then run again.`,
  ];
  return new HomefaasError(
    context.code ?? (action === 'write' ? 'ERR_FILE_WRITE' : 'ERR_FILE_READ'),
    `Cannot ${action} ${name}: ${problem}${known[errno] ? ` (${errno})` : ''}.`,
    { hint, cause: error },
  );
}

/** The system error code (`EACCES`, `EROFS`...) of a failed file operation, whether wrapped by us or not. */
export function fileErrorCode(error: unknown): string | undefined {
  const system = error instanceof HomefaasError ? error.cause : error;
  return (system as NodeJS.ErrnoException | undefined)?.code;
}
