export { addFunctionToStack } from './add-function';
export { stackWarnings } from './faas-cli-fields';
export { type FunctionDeployment, type ResourceLimits, toFunctionDeployment } from './function-deployment';
export { assertFunctionName, isValidFunctionName } from './function-name';
export {
  formatHomefaasConfig,
  HOMEFAAS_CONFIG_FILE,
  type HomefaasConfig,
  parseHomefaasConfig,
  type ResolvedHomefaasConfig,
  registryAddress,
} from './homefaas-config';
export { parseStack } from './parse-stack';
export { DEFAULT_PLATFORMS, isPlatform, PLATFORM_PATTERN, parsePlatforms } from './platforms';
export { type ResolveFunctionOptions, resolveFunction } from './resolve-function';
export type {
  ParsedStack,
  ResolvedFunction,
  Stack,
  StackConfiguration,
  StackFunction,
  StackProvider,
  StackResources,
  StackWarning,
} from './stack-types';
export { STACK_FILE } from './stack-types';
export { substituteEnv } from './substitute-env';
