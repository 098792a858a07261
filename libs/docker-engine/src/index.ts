export {
  type BindMount,
  type ContainerSpec,
  type ContainerState,
  containerCreateOptions,
  containerDifferences,
  readContainerState,
} from './container-spec';
export { demuxDockerLogs } from './docker-logs';
export {
  createEngine,
  type Engine,
  type EngineOptions,
  type EnsureContainerOptions,
  type EnsureResult,
  type ExecResult,
} from './engine';
export {
  assertImageReference,
  type ImageReference,
  isImageTag,
  parseImageReference,
} from './image-reference';
export { type CommandResult, formatCommand, type RunCommandOptions, runCommand } from './run-command';
