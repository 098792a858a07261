// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are stack.yml text with ${VAR} references.
import { describe, expect, it } from 'vitest';
import { substituteEnv } from './substitute-env';

describe('substituteEnv', () => {
  const env = { REGISTRY: 'reg.lab:5000', EMPTY: '', TAG: 'v1' };
  it.each([
    ['a set variable', 'image: ${REGISTRY}/hello:${TAG}', 'image: reg.lab:5000/hello:v1'],
    ['an unset variable becomes empty', 'gateway: ${OPENFAAS_URL}', 'gateway: '],
    [
      'a default for an unset variable',
      'gateway: ${OPENFAAS_URL:-http://127.0.0.1:8080}',
      'gateway: http://127.0.0.1:8080',
    ],
    ['a default for an empty variable', 'x: ${EMPTY:-fallback}', 'x: fallback'],
    ['a set variable ignores its default', 'x: ${TAG:-latest}', 'x: v1'],
    ['an empty default', 'x: ${NOPE:-}', 'x: '],
    ['text without references stays', 'price: $5 and {braces}', 'price: $5 and {braces}'],
    ['an invalid name is left alone', 'x: ${1ABC}', 'x: ${1ABC}'],
    ['several on one line', '${TAG}-${TAG}', 'v1-v1'],
  ])('%s', (_name, text, expected) => {
    expect(substituteEnv(text, env)).toBe(expected);
  });
});
