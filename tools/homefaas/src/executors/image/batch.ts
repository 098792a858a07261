// The image executor's batch implementation (executors.json `batchImplementation`).
export { imageBatchExecutor as default } from './executor';
