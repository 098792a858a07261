import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPILED_VALIDATOR_FILES, compileValidatorSources } from './validator-source';

describe('precompiled validators', () => {
  const sources = compileValidatorSources();
  it.each(Object.entries(COMPILED_VALIDATOR_FILES))(
    '%s: %s matches the schemas (else run libs/config/scripts/compile-validators.ts)',
    (kind, file) => {
      expect(readFileSync(join(__dirname, file), 'utf8')).toBe(sources[kind as keyof typeof sources]);
    },
  );

  it('need no ajv at run time', () => {
    for (const source of Object.values(sources)) expect(source).not.toMatch(/\brequire\(|\bimport\b/);
  });
});
