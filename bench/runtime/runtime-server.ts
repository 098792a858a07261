// The runtime as a function's bundle runs it, serving a handler that returns ANSWER.
import { startFromEnv } from '../../template/node22-ts/runtime/index';
import { ANSWER } from './answer';

void startFromEnv({ default: async () => ANSWER });
