export { DAY_MS } from './day';
export {
  ERROR_AREAS,
  ERROR_CODES,
  type ErrorArea,
  type ErrorCode,
  type ErrorCodeInfo,
} from './error-codes';
export { errorMessage, HomefaasError, type HomefaasErrorOptions, hintLine, isHomefaasError } from './errors';
export { createMemoryLogger, type Logger, SILENT_LOGGER } from './logger';
export { redact } from './redact';
export { splitList } from './split-list';
export { secureContextFor } from './tls';
