import { describe, expect, it } from 'vitest';
import { parseChallenge } from './challenge';

describe('parseChallenge', () => {
  it.each([
    [
      'Distribution htpasswd',
      'Basic realm="Registry Realm"',
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ],
    [
      'a bearer challenge with a scope holding a comma',
      'Bearer realm="https://auth.home.lan/token",service="registry",scope="repository:team/app:pull,push"',
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.home.lan/token',
          service: 'registry',
          scope: 'repository:team/app:pull,push',
        },
      },
    ],
    [
      'unquoted values, spaces and an error',
      'bearer realm=https://a/t, service=reg , error="insufficient_scope"',
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 'reg', error: 'insufficient_scope' } },
    ],
    ['an escaped quote', 'Basic realm="say \\"hi\\""', { scheme: 'basic', params: { realm: 'say "hi"' } }],
    ['a bare scheme', 'Basic', { scheme: 'basic', params: {} }],
  ])('%s', (_name, header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  it.each([null, '', '   '])('gives undefined for %j', (header) => {
    expect(parseChallenge(header)).toBeUndefined();
  });
});
