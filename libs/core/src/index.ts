export { errorMessage, HomefaasError, type HomefaasErrorOptions, isHomefaasError } from './errors';
export { createMemoryLogger, type Logger, SILENT_LOGGER } from './logger';
export { redact } from './redact';
