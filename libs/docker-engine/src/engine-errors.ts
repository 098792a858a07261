import { HomefaasError, isHomefaasError } from '@homefaas/core';

/** An unexpected Engine API answer, shaped like dockerode's errors so {@link toEngineError} words it. */
export function apiError(answer: { status: number; body: string }): Error {
  let message = answer.body.trim();
  try {
    message = (JSON.parse(answer.body) as { message?: string }).message ?? message;
  } catch {
    // Not JSON: keep the text.
  }
  return Object.assign(new Error(`(HTTP code ${answer.status}) ${message}`), {
    statusCode: answer.status,
    json: { message },
  });
}

/** The HTTP status of a dockerode error (404: no such container, 304: already in that state). */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

/** Docker's own message of a dockerode error. */
export function messageOf(error: unknown): string {
  const json = (error as { json?: { message?: string } } | undefined)?.json;
  if (json?.message) return json.message;
  return error instanceof Error ? error.message : String(error);
}

/** True for the error that says the daemon does not answer. */
export function isUnavailable(error: unknown): boolean {
  return isHomefaasError(error, 'ERR_DOCKER_UNAVAILABLE');
}

const CONNECTION_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** Connection failures become ERR_DOCKER_UNAVAILABLE with how to fix them; API errors keep Docker's message. */
export function toEngineError(what: string, error: unknown): unknown {
  if (isHomefaasError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && CONNECTION_CODES.has(code)) {
    const address = (error as { address?: string }).address ?? 'the Docker socket';
    const hint =
      code === 'EACCES'
        ? 'Your user may not use the Docker socket: add it to the docker group (sudo usermod -aG docker "$USER") and log in again.'
        : 'Start Docker: `sudo systemctl start docker` on Linux, or open Docker Desktop; if it runs elsewhere, set DOCKER_HOST.';
    return new HomefaasError(
      'ERR_DOCKER_UNAVAILABLE',
      `The Docker daemon does not answer at ${address} (${code}).`,
      {
        hint,
        cause: error,
      },
    );
  }
  return new HomefaasError('ERR_DOCKER_API', `Docker could not ${what}: ${messageOf(error)}`, {
    cause: error,
  });
}
