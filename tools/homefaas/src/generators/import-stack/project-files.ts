import { formatJson } from '../new-function/json-text';

/** The template imported functions are built with. */
export const IMPORT_LANG = 'node22-ts';

/** npm init's placeholder, which fails on purpose: not a test suite. */
const PLACEHOLDER_TEST = /no test specified/;

/**
 * The function's package.json: the package `name`, with the dependencies (and devDependencies and scripts, for
 * its tests) of the faas-cli function's own package.json. As an npm workspace package (`workspacePackage`) it
 * also depends on the runtime it now runs on, which npm links; elsewhere the runtime resolves through the
 * TypeScript path init writes, and npm would look it up in the registry.
 */
export function functionManifest(
  name: string,
  source: Record<string, unknown> = {},
  workspacePackage = true,
): string {
  const scripts = { ...record(source.scripts) };
  if (typeof scripts.test === 'string' && PLACEHOLDER_TEST.test(scripts.test)) delete scripts.test;
  const devDependencies = record(source.devDependencies);
  return formatJson({
    name,
    version: '0.1.0',
    private: true,
    description:
      typeof source.description === 'string' &&
      source.description !== '' &&
      source.description !== 'OpenFaaS Function'
        ? source.description
        : `The ${name} function, imported from a faas-cli project.`,
    ...(Object.keys(scripts).length > 0 ? { scripts } : {}),
    dependencies: {
      ...record(source.dependencies),
      ...(workspacePackage ? { [`@homefaas/${IMPORT_LANG}`]: '*' } : {}),
    },
    ...(Object.keys(devDependencies).length > 0 ? { devDependencies } : {}),
  });
}

function record(value: unknown): Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, string>)
    : {};
}
