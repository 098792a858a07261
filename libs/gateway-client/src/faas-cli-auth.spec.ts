import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import { readFaasCliAuth } from './faas-cli-auth';

const token = (text: string) => Buffer.from(text).toString('base64');

/** As `faas-cli login` writes ~/.openfaas/config.yml. */
const CONFIG = `auths:
- gateway: http://127.0.0.1:8080
  auth: basic
  token: ${token('admin:local-pass')}
- gateway: https://GW.Lab:443/
  auth: basic
  token: ${token('admin:pa:ss:with:colons')}
- gateway: https://oidc.lab
  auth: oauth2
  token: eyJhbGciOi
- gateway: https://broken.lab
  auth: basic
  token: ${token('no-colon')}
`;

describe('readFaasCliAuth', () => {
  it.each([
    ['the exact gateway', 'http://127.0.0.1:8080', { username: 'admin', password: 'local-pass' }],
    ['a trailing slash', 'http://127.0.0.1:8080/', { username: 'admin', password: 'local-pass' }],
    [
      'case and default port differences',
      'https://gw.lab',
      { username: 'admin', password: 'pa:ss:with:colons' },
    ],
    ['another gateway', 'http://127.0.0.1:8081', undefined],
    ['an oauth2 entry', 'https://oidc.lab', undefined],
    ['a token without colon', 'https://broken.lab', undefined],
  ])('%s', (_name, url, expected) => {
    expect(readFaasCliAuth(CONFIG, url)).toEqual(expected);
  });

  it.each([
    ['an empty file', ''],
    ['no auths', 'other: 1\n'],
    ['auths not a list', 'auths: {gateway: x}\n'],
  ])('answers undefined for %s', (_name, text) => {
    expect(readFaasCliAuth(text, 'http://127.0.0.1:8080')).toBeUndefined();
  });

  it('names a config file that is not YAML without quoting it', () => {
    let caught: unknown;
    try {
      readFaasCliAuth(`auths: [\n  token: ${token('admin:leak-me')}`, 'http://127.0.0.1:8080');
    } catch (error) {
      caught = error;
    }
    expect(isHomefaasError(caught, 'ERR_GATEWAY_FAAS_CLI_CONFIG')).toBe(true);
    expect((caught as Error).message).not.toContain(token('admin:leak-me'));
  });
});
