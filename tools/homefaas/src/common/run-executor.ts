import { errorMessage, hintLine, isHomefaasError, type Logger } from '@homefaas/core';
import { createConsoleLogger } from './console-logger';

/**
 * The only place an executor catches: runs `body`, and turns any failure into `✖ message` and `→ hint`
 * lines and `{success: false}` (a person reads the message, Nx reads the result).
 */
export async function runExecutor(
  body: (logger: Logger) => Promise<void>,
  logger: Logger = createConsoleLogger(),
): Promise<{ success: boolean }> {
  try {
    await body(logger);
    return { success: true };
  } catch (error) {
    logger.info(`✖ ${errorMessage(error)}`);
    if (isHomefaasError(error)) logger.info(hintLine(error));
    if (!isHomefaasError(error) && error instanceof Error && error.stack) logger.progress(error.stack);
    return { success: false };
  }
}
