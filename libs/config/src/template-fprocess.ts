import { HomefaasError } from '@homefaas/core';
import { parseYamlValues } from './yaml-values';

/**
 * The `fprocess` of `template/<lang>/template.yml`, which faas-cli's deploy sends as `envProcess` for a
 * function that has none of its own. `undefined` without a language, for `lang: dockerfile` (faas-cli reads no
 * template for it), without a reader, when the reader finds no template.yml, or when it names none. Throws
 * `ERR_STACK_TEMPLATE` for a template.yml that cannot be read or is not a map.
 */
export function templateFprocess(
  lang: string | undefined,
  readTemplateFile: ((lang: string) => string | undefined) | undefined,
): string | undefined {
  if (!lang || lang.toLowerCase() === 'dockerfile' || readTemplateFile === undefined) return undefined;
  const path = `template/${lang}/template.yml`;
  let text: string | undefined;
  try {
    text = readTemplateFile(lang);
  } catch (error) {
    throw new HomefaasError('ERR_STACK_TEMPLATE', `Cannot read ${path}: ${(error as Error).message}`, {
      hint: `lang: ${lang} names the folder template/${lang}: check the name, or pull the template (faas-cli template pull).`,
      cause: error,
    });
  }
  if (text === undefined) return undefined;
  const data = parseYamlValues(text, 'ERR_STACK_TEMPLATE', path);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new HomefaasError(
      'ERR_STACK_TEMPLATE',
      `${path} is invalid: expected a map such as fprocess: node index.js`,
    );
  }
  const fprocess = (data as Record<string, unknown>).fprocess;
  return typeof fprocess === 'string' && fprocess !== '' ? fprocess : undefined;
}
