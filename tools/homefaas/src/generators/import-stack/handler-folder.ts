import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import { FOLDER_HANDLERS } from '../../graph/function-node';

/**
 * Left out of the copy: what faas-cli itself skips (build, template), installed packages and the lock file (npm
 * installs the workspace's), and hidden entries, which may hold credentials such as an .npmrc token.
 */
const LEFT_OUT = new Set(['node_modules', 'build', 'template', 'package-lock.json']);

/** A function's handler folder, read. */
export interface HandlerFolder {
  /** The handler module, relative to the folder: `handler.js` or `handler.ts`. */
  handlerFile: string;
  /** Every file to copy (package.json excepted), by path relative to the folder, `/`-separated. */
  files: Map<string, Buffer>;
  /** Its package.json, when it has one. */
  manifest?: Record<string, unknown>;
  /** Top-level entries that are not copied. */
  leftOut: string[];
}

/**
 * Reads the handler folder `dir` of a faas-cli function; returns why it cannot be imported when it has no
 * handler module. Throws `ERR_IMPORT_PACKAGE_JSON` for a package.json that is not a JSON object.
 */
export function readHandlerFolder(dir: string, shown: string): HandlerFolder | string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `its handler folder ${shown} does not exist`;
  const handlerFile = FOLDER_HANDLERS.find((file) => existsSync(join(dir, file)));
  if (handlerFile === undefined) return `${shown} has no ${FOLDER_HANDLERS.join(' or ')}`;
  const files = new Map<string, Buffer>();
  const leftOut: string[] = [];
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = `${prefix}${entry.name}`;
      if (LEFT_OUT.has(entry.name) || entry.name.startsWith('.')) {
        if (prefix === '') leftOut.push(entry.name);
      } else if (entry.isDirectory()) {
        walk(join(folder, entry.name), `${path}/`);
      } else if (entry.isFile() && path !== 'package.json') {
        files.set(path, readFileSync(join(folder, entry.name)));
      }
    }
  };
  walk(dir, '');
  const manifest = readManifest(join(dir, 'package.json'), `${shown}/package.json`);
  return { handlerFile, files, ...(manifest ? { manifest } : {}), leftOut };
}

function readManifest(path: string, shown: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new HomefaasError(
      'ERR_IMPORT_PACKAGE_JSON',
      `${shown} is not valid JSON: ${(error as Error).message}`,
      {
        hint: 'Fix it in the faas-cli project, then import again.',
        cause: error,
      },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HomefaasError('ERR_IMPORT_PACKAGE_JSON', `${shown} is not a JSON object.`, {
      hint: 'Fix it in the faas-cli project, then import again.',
    });
  }
  return value as Record<string, unknown>;
}
