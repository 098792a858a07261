import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes';
import { errorMessage, HomefaasError, isHomefaasError } from './errors';

describe('HomefaasError', () => {
  it('keeps the hint the thrower gives: it knows the case best', () => {
    const error = new HomefaasError('ERR_REGISTRY_REFUSED', 'connection to host:5000 refused', {
      hint: 'Start the registry on the NAS.',
    });
    expect(error.hint).toBe('Start the registry on the NAS.');
  });

  it("falls back to its code's hint when the thrower gives none", () => {
    const error = new HomefaasError('ERR_DOCKER_API', 'Docker could not start x: port is already allocated');
    expect(error.hint).toBe(ERROR_CODES.ERR_DOCKER_API.hint);
    expect(error.hint).not.toBe('');
  });

  it('carries its code, message and cause', () => {
    const cause = new Error('EACCES');
    const error = new HomefaasError('ERR_FILE_READ', 'Cannot read x', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'HomefaasError',
      code: 'ERR_FILE_READ',
      message: 'Cannot read x',
      cause,
    });
    expect(new HomefaasError('ERR_FILE_READ', 'Cannot read x')).not.toHaveProperty('cause');
  });
});

describe('isHomefaasError', () => {
  const error = new HomefaasError('ERR_STACK_MISSING', 'There is no stack.yml');

  it('tells a HomefaasError, of any code or of the one given', () => {
    expect(isHomefaasError(error)).toBe(true);
    expect(isHomefaasError(error, 'ERR_STACK_MISSING')).toBe(true);
    expect(isHomefaasError(error, 'ERR_STACK_PARSE')).toBe(false);
  });

  it('is false for other errors and values', () => {
    expect(
      isHomefaasError(Object.assign(new Error('x'), { code: 'ERR_STACK_MISSING' }), 'ERR_STACK_MISSING'),
    ).toBe(false);
    expect(isHomefaasError('ERR_STACK_MISSING')).toBe(false);
    expect(isHomefaasError(undefined)).toBe(false);
  });
});

describe('ERROR_CODES', () => {
  it('gives each code the form ERR_<AREA>_<WHAT>, one line of meaning and a hint', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ERR_[A-Z0-9]+(_[A-Z0-9]+)+$/);
      expect(info.meaning, code).toMatch(/^\S.*[.)]$/);
      expect(info.meaning, code).not.toContain('\n');
      expect(info.hint, code).toMatch(/^\S.*[.)]$/);
    }
  });
});

describe('errorMessage', () => {
  it('is the message of an Error and the text of anything else', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
  });
});
