/**
 * The languages whose handler follows the Node templates' contract, `(event, context) => value`, which this
 * workspace's runtime serves: node, node18, node20, node22 and their TypeScript variants (`-ts`, `-typescript`).
 */
const NODE_LANG = /^node(\d+)?(-ts|-typescript)?$/;

/** Why a function on `lang` cannot be imported, or `undefined` when it can. */
export function whyNotNode(lang: string | undefined): string | undefined {
  if (lang === undefined) return 'no lang: faas-cli builds it from a Dockerfile of its own';
  if (lang.toLowerCase() === 'dockerfile') return 'lang dockerfile: it builds from a Dockerfile of its own';
  if (!NODE_LANG.test(lang)) return `lang ${lang} is not a Node template`;
  return undefined;
}

/**
 * What to check by hand after importing a function on `lang`: the classic `node` template (the stdin watchdog)
 * called `handler(body, callback)` with the body as text.
 */
export function langNote(lang: string): string | undefined {
  return lang === 'node'
    ? 'the classic node template passed the body as text and a callback; the handler now gets (event, context): check it'
    : undefined;
}
