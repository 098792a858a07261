/** Options of {@link HomefaasError}: what to do next, and the original error. */
export interface HomefaasErrorOptions {
  hint?: string;
  cause?: unknown;
}

/**
 * The one error type of homefaas. `code` is stable (`ERR_<AREA>_<WHAT>`) so callers and tests can branch on
 * it; `message` says what failed and what was observed; `hint` says what to do next. Never put a credential
 * in either.
 */
export class HomefaasError extends Error {
  readonly code: string;
  readonly hint?: string;

  constructor(code: string, message: string, options: HomefaasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HomefaasError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** True when `error` is a {@link HomefaasError}, optionally with the given code. */
export function isHomefaasError(error: unknown, code?: string): error is HomefaasError {
  return error instanceof HomefaasError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for wrapping foreign errors. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
