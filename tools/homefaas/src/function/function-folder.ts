import { posix } from 'node:path';

/**
 * The workspace-relative folder a stack.yml `handler` names (`./functions/hello` → `functions/hello`), or
 * `undefined` when it names none inside the workspace: missing, empty, the workspace root itself, absolute,
 * or reaching above the root. The project graph and the publish inputs both take a function to be the stack
 * entry whose folder this gives and exists.
 */
export function functionFolder(handler: unknown): string | undefined {
  if (typeof handler !== 'string') return undefined;
  const dir = posix
    .normalize(handler.replaceAll('\\', '/'))
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (dir === '' || dir === '.' || dir.startsWith('/') || dir === '..' || dir.startsWith('../')) {
    return undefined;
  }
  return dir;
}
