import { HomefaasError } from '@homefaas/core';

/** faas-cli's function name rule: an RFC 1035 DNS label. */
const FUNCTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_FUNCTION_NAME = 63;

/** True when `name` is a valid OpenFaaS function name (DNS label, at most 63 characters). */
export function isValidFunctionName(name: string): boolean {
  return name.length <= MAX_FUNCTION_NAME && FUNCTION_NAME.test(name);
}

/** Throws `ERR_STACK_FUNCTION_NAME` unless `name` is a valid OpenFaaS function name. */
export function assertFunctionName(name: string): void {
  if (isValidFunctionName(name)) return;
  throw new HomefaasError('ERR_STACK_FUNCTION_NAME', `Invalid function name ${JSON.stringify(name)}`, {
    hint: `Use lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${MAX_FUNCTION_NAME} characters (e.g. hello-world).`,
  });
}
