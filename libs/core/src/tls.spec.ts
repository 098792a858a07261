import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestCa } from '../../../test/support/openssl-pki';
import { secureContextFor } from './tls';

const dir = mkdtempSync(join(tmpdir(), 'homefaas-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secureContextFor', () => {
  it('builds one context per CA for the process, and another for another CA', () => {
    const first = createTestCa(join(dir, 'a'), 'first-ca').cert;
    const second = createTestCa(join(dir, 'b'), 'second-ca').cert;
    expect(secureContextFor(first)).toBe(secureContextFor(first));
    expect(secureContextFor(second)).not.toBe(secureContextFor(first));
  });
});
