// The publish executor's batch implementation (executors.json `batchImplementation`).
export { publishBatchExecutor as default } from './executor';
