import type { Stack, StackWarning } from './stack-types';

// How stack.yml's fields relate to faas-cli 0.18: `platforms` is homefaas's own (faas-cli parses it and
// builds for its --platforms flag, so a file that sets it still works with faas-cli); `provider.network` and a
// function's `registry_auth` are faas-cli's but no longer read by it, so they are warned about.

const NO_LONGER_READ = 'faas-cli 0.18 no longer reads it';

/**
 * The fields of `stack` that faas-cli accepts but no longer acts on, each with what to do instead. A file that
 * relies on one would silently lose a setting, so it is reported rather than accepted without a word.
 */
export function stackWarnings(stack: Stack): StackWarning[] {
  const warnings: StackWarning[] = [];
  if (stack.provider.network !== undefined) {
    warnings.push({
      path: 'provider.network',
      message: `${NO_LONGER_READ} (providers choose the network); remove it.`,
    });
  }
  for (const [name, fn] of Object.entries(stack.functions)) {
    if (fn.registry_auth !== undefined) {
      warnings.push({
        path: `functions.${name}.registry_auth`,
        message: `${NO_LONGER_READ}: the OpenFaaS host pulls with its own registry credentials (npx nx g node-trust renders them); remove it.`,
      });
    }
  }
  return warnings;
}

/** The warnings that concern function `name`: its own fields and the stack-wide ones. */
export function warningsFor(warnings: readonly StackWarning[], name: string): StackWarning[] {
  return warnings.filter(
    (warning) => !warning.path.startsWith('functions.') || warning.path.startsWith(`functions.${name}.`),
  );
}
