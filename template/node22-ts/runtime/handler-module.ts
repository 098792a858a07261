import type { AnyHandler, HandlerModule } from './types';

/**
 * Finds the handler in a module namespace: its default export, else its `handler` export, else the
 * module itself when it is a function (CommonJS `module.exports = fn`). A CommonJS module imported as a
 * namespace nests its exports under `default`, so that level is searched too.
 * Throws when there is none, naming the exports that were found.
 */
export function resolveHandler(module: HandlerModule | unknown): AnyHandler {
  const found = findHandler(module) ?? findHandler(exportOf(module, 'default'));
  if (found) return found;
  if (module === null || typeof module !== 'object') {
    throw new TypeError(
      `The handler module is not a module: got ${module === null ? 'null' : typeof module}.`,
    );
  }
  const names = Object.keys(module);
  throw new TypeError(
    `The handler module exports no function as default or "handler" (it exports: ${names.length ? names.join(', ') : 'nothing'}).`,
  );
}

function findHandler(module: unknown): AnyHandler | undefined {
  if (typeof module === 'function') return module as AnyHandler;
  for (const name of ['default', 'handler']) {
    const candidate = exportOf(module, name);
    if (typeof candidate === 'function') return candidate as AnyHandler;
  }
  return undefined;
}

function exportOf(module: unknown, name: string): unknown {
  return module !== null && typeof module === 'object'
    ? (module as Record<string, unknown>)[name]
    : undefined;
}
