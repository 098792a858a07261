import { HomefaasError } from '@homefaas/core';
import { Document, isMap, parseDocument, Scalar, type YAMLMap } from 'yaml';
import { assertFunctionName } from './function-name';
import { STACK_FILE, type StackFunction } from './stack-types';

/**
 * Returns `text` (stack.yml, `undefined` when there is none) with `name` added under `functions:`. Edits the
 * YAML document in place so comments, anchors and other functions survive; a new file starts with
 * `version: 1.0` and `provider: {name: openfaas}`. Throws `ERR_STACK_EXISTS` when `name` is taken.
 */
export function addFunctionToStack(text: string | undefined, name: string, entry: StackFunction): string {
  assertFunctionName(name);
  const doc = text === undefined || text.trim() === '' ? newStack() : parseExisting(text);
  const functions = doc.get('functions');
  if (!isMap(functions)) {
    doc.set('functions', doc.createNode({}));
  } else if (functions.has(name)) {
    throw new HomefaasError(
      'ERR_STACK_EXISTS',
      `Function ${JSON.stringify(name)} is already in ${STACK_FILE}`,
      {
        hint: 'Choose another name, or remove the existing entry first.',
      },
    );
  }
  doc.setIn(['functions', name], doc.createNode(entry));
  return doc.toString({ lineWidth: 0 });
}

function newStack(): Document {
  // faas-cli writes the version as the plain scalar 1.0; a string would come out quoted.
  const version = new Scalar(1);
  version.minFractionDigits = 1;
  const doc = new Document({ provider: { name: 'openfaas' }, functions: {} });
  (doc.contents as YAMLMap).items.unshift(doc.createPair('version', version));
  return doc;
}

function parseExisting(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new HomefaasError('ERR_STACK_PARSE', `${STACK_FILE} is not valid YAML: ${doc.errors[0]?.message}`, {
      hint: `Fix the YAML syntax of ${STACK_FILE}.`,
      cause: doc.errors[0],
    });
  }
  if (!isMap(doc.contents)) {
    throw new HomefaasError('ERR_STACK_INVALID', `${STACK_FILE} is invalid:\n  - (root): expected a map`);
  }
  return doc;
}
