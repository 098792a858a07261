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
} from './engine';
export { assertImageReference, type ImageReference, parseImageReference } from './image-reference';
export { type CommandResult, formatCommand, type RunCommandOptions, runCommand } from './run-command';
