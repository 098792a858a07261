import { HomefaasError, hintLine, isHomefaasError } from '@homefaas/core';

/** Makes the hint part of the message: Nx prints only the message of a failed generator. */
export function withHintInMessage(error: unknown): unknown {
  if (!isHomefaasError(error)) return error;
  return new HomefaasError(error.code, `${error.message}\n${hintLine(error)}`, {
    cause: error,
    hint: error.hint,
  });
}
