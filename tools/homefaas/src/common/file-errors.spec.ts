import { describe, expect, it } from 'vitest';
import { fileError } from './file-errors';

describe('fileError', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });
  it.each([
    [
      'EACCES',
      'read',
      'ERR_FILE_READ',
      'Cannot read infra/ca/homeCA.pem: permission denied (EACCES).',
      'ls -l infra/ca',
    ],
    [
      'EPERM',
      'write',
      'ERR_FILE_WRITE',
      'Cannot write infra/ca/homeCA.pem: operation not permitted (EPERM).',
      'owner or mode',
    ],
    [
      'EROFS',
      'write',
      'ERR_FILE_WRITE',
      'the file system is read-only (EROFS)',
      'Run where infra/ca is writable',
    ],
    ['ENOSPC', 'write', 'ERR_FILE_WRITE', 'no space left on the device (ENOSPC)', 'df -h infra/ca'],
    ['EDQUOT', 'write', 'ERR_FILE_WRITE', 'the disk quota is exceeded (EDQUOT)', 'quota'],
    ['EISDIR', 'read', 'ERR_FILE_READ', 'it is a folder (EISDIR)', 'Rename the folder infra/ca/homeCA.pem'],
    [
      'ENOTDIR',
      'read',
      'ERR_FILE_READ',
      'a part of its path is a file, not a folder (ENOTDIR)',
      'must be a folder',
    ],
    [
      'EEXIST',
      'write',
      'ERR_FILE_EXISTS',
      'Refusing to write infra/ca/homeCA.pem: the file already exists.',
      'nothing is lost',
    ],
    [
      'EWHATEVER',
      'read',
      'ERR_FILE_READ',
      'Cannot read infra/ca/homeCA.pem: EWHATEVER: something.',
      'Check infra/ca/homeCA.pem',
    ],
  ] as const)('%s on %s → %s', (code, action, homefaasCode, message, hint) => {
    const error = fileError(errno(code), { shown: 'infra/ca/homeCA.pem', action });
    expect(error.code).toBe(homefaasCode);
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
  });

  it('names the file with its label and keeps a given code', () => {
    const error = fileError(errno('EACCES'), {
      shown: 'infra/ca/homeCA.key',
      action: 'read',
      label: 'the CA key',
      code: 'ERR_CA_UNREADABLE',
    });
    expect(error).toMatchObject({
      code: 'ERR_CA_UNREADABLE',
      message: 'Cannot read the CA key infra/ca/homeCA.key: permission denied (EACCES).',
    });
  });
});
