import { accessSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The unix socket of the Engine API as dockerode would find it (DOCKER_HOST unset or `unix://`, else
 * `undefined`: tcp:// and ssh:// stay with dockerode).
 */
export function defaultEngineSocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://') && host.length > 'unix://'.length) return host.slice('unix://'.length);
  if (host) return undefined;
  const userSocket = join(homedir(), '.docker', 'run', 'docker.sock');
  try {
    accessSync(userSocket);
    return userSocket;
  } catch {
    return '/var/run/docker.sock';
  }
}

/**
 * `GET path` on the Engine API over its unix socket. Read-only probes (ping, inspect) go this way: loading
 * dockerode (ssh2, gRPC) costs more than the whole probe, and a run that finds everything in place needs
 * nothing else. Connection errors are thrown as Node gives them (with `code` and `address`).
 */
export function engineGet(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', headers: { host: 'docker' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    req.setTimeout(30_000, () =>
      req.destroy(
        Object.assign(new Error('no answer within 30 s'), { code: 'ETIMEDOUT', address: socketPath }),
      ),
    );
    req.on('error', reject);
    req.end();
  });
}
