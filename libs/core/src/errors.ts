import { ERROR_CODES, type ErrorCode } from './error-codes';

/** Options of {@link HomefaasError}: what to do next, and the original error. */
export interface HomefaasErrorOptions {
  /** What to do next, said for this case; the code's hint from {@link ERROR_CODES} when none is given. */
  hint?: string;
  cause?: unknown;
}

/**
 * The one error type of homefaas. `code` is stable (`ERR_<AREA>_<WHAT>`, one of {@link ERROR_CODES}) so callers
 * and tests can branch on it; `message` says what failed and what was observed; `hint` says what to do next:
 * the one given, else the code's. Never put a credential in either.
 */
export class HomefaasError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, options: HomefaasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HomefaasError';
    this.code = code;
    this.hint = options.hint ?? ERROR_CODES[code].hint;
  }
}

/** True when `error` is a {@link HomefaasError}, optionally with the given code. */
export function isHomefaasError(error: unknown, code?: ErrorCode): error is HomefaasError {
  return error instanceof HomefaasError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for wrapping foreign errors. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The line under an error's message: what to do, and the code, which the README's troubleshooting table
 * explains.
 */
export function hintLine(error: HomefaasError): string {
  return `→ ${error.hint} (${error.code})`;
}
