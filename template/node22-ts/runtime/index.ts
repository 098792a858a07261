// The node22-ts runtime: of-watchdog's HTTP contract and the official Node template's handler contract,
// in Node alone. Function authors import the types; the function's entry calls `startFromEnv`.
export { callTimeout } from './call-timeout';
export { DEFAULTS, type ResolvedRuntimeConfig, resolveRuntimeConfig } from './config';
export { formatDuration, parseDuration } from './duration';
export { resolveHandler } from './handler-module';
export { CONSOLE_LOGGER, type RuntimeLogger } from './logger';
export { type DrainResult, type RunningServer, type StartServerOptions, startServer } from './server';
export { parseSize } from './size';
export { type StartFromEnvOptions, startFromEnv } from './start-from-env';
export type {
  AnyHandler,
  FunctionContext,
  FunctionEvent,
  Handler,
  HandlerModule,
  ResponseHeaders,
} from './types';
