import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILED_VALIDATOR_FILES, compileValidatorSources } from '../src/validator-source';

// Rewrites the precompiled validators after a schema change: npx tsx libs/config/scripts/compile-validators.ts
const sources = compileValidatorSources();
for (const [kind, file] of Object.entries(COMPILED_VALIDATOR_FILES)) {
  writeFileSync(join(__dirname, '../src', file), sources[kind as keyof typeof sources]);
  console.log(`wrote libs/config/src/${file}`);
}
