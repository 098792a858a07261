// A function's entry as the build generates it, pointed at a test handler.
import { startFromEnv } from '../index';
import * as fn from './child-handler';

void startFromEnv(fn);
