import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { assertImageReference, isImageTag, parseImageReference } from './image-reference';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['registry:2', { path: 'registry', tag: '2' }],
    ['registry', { path: 'registry' }],
    ['joxit/docker-registry-ui:2', { path: 'joxit/docker-registry-ui', tag: '2' }],
    [
      'docker-registry.home.lan:5000/team/hello:c-1a2b',
      { domain: 'docker-registry.home.lan:5000', path: 'team/hello', tag: 'c-1a2b' },
    ],
    ['localhost:5000/a__b.c--d:v1.2_3', { domain: 'localhost:5000', path: 'a__b.c--d', tag: 'v1.2_3' }],
    ['[::1]:5000/x', { domain: '[::1]:5000', path: 'x' }],
    [`registry:2@${DIGEST}`, { path: 'registry', tag: '2', digest: DIGEST }],
    [`registry@${DIGEST}`, { path: 'registry', digest: DIGEST }],
    [`Upper.Case:5000/x:${'t'.repeat(128)}`, { domain: 'Upper.Case:5000', path: 'x', tag: 't'.repeat(128) }],
  ])('%s', (text, parts) => {
    expect(parseImageReference(text)).toEqual({
      domain: undefined,
      tag: undefined,
      digest: undefined,
      ...parts,
    });
  });

  it.each([
    ['a newline and YAML after it', 'registry:2\n    privileged: true'],
    ['a trailing newline', 'registry:2\n'],
    ['a space', 'registry :2'],
    ['an uppercase repository', 'Registry'],
    ['an empty string', ''],
    ['a tag of 129 characters', `registry:${'t'.repeat(129)}`],
    ['a tag starting with a dot', 'registry:.2'],
    ['a double slash', 'a//b'],
    ['a trailing separator', 'registry-:2'],
    ['a short digest', 'registry@sha256:abc'],
    ['a quote', 'registry:2"'],
    ['shell', 'registry:2;rm'],
    ['a name over 255 characters', `${'a'.repeat(250)}/${'b'.repeat(10)}`],
  ])('refuses %s', (_label, text) => {
    expect(parseImageReference(text)).toBeUndefined();
  });
});

describe('assertImageReference', () => {
  it('names the option and shows the input escaped, with an example in the hint', () => {
    const error = (() => {
      try {
        assertImageReference('registry:2\n    privileged: true', '--image');
      } catch (caught) {
        return caught;
      }
    })();
    expect(isHomefaasError(error, 'ERR_IMAGE_REFERENCE')).toBe(true);
    expect((error as Error).message).toBe(
      '--image "registry:2\\n    privileged: true" is not an image reference.',
    );
    expect((error as { hint: string }).hint).toContain('registry:2');
  });
});

describe('isImageTag', () => {
  it.each([
    ['latest', true],
    ['c-0123abcd', true],
    ['v1.2_3', true],
    ['_x', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['.hidden', false],
    ['-dash', false],
    ['', false],
    ['with space', false],
    ['a:b', false],
  ])('%s → %s', (tag, valid) => {
    expect(isImageTag(tag)).toBe(valid);
    expect(parseImageReference(`r.lan:5000/x:${tag}`)?.tag === tag).toBe(valid && tag !== '');
  });
});
