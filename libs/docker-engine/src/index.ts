export { type CommandResult, formatCommand, type RunCommandOptions, runCommand } from './run-command';
