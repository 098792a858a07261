import { type ErrorCode, HomefaasError } from '@homefaas/core';
import { isScalar, parseDocument, visit } from 'yaml';

/**
 * Parses YAML into plain values with numbers kept as written: Go's decoder reads `VERSION: 1.10` into a
 * string field as "1.10", while a JS number would turn it into "1.1". Booleans and nulls stay typed so the
 * schema can tell a flag from text.
 */
export function parseYamlValues(text: string, code: ErrorCode, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new HomefaasError(
      code,
      `${source} is not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`,
      {
        hint: `Fix the YAML syntax of ${source}.`,
        cause: doc.errors[0],
      },
    );
  }
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'number') node.value = node.source ?? String(node.value);
    },
  });
  return doc.toJS();
}

/** Drops `key: ~` entries, which Go's decoder treats as absent. */
export function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== null));
}
