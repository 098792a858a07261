import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { inject } from 'vitest';
import type * as keygen from '../keygen';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder of the run's shared RSA keys, made by `shared-keys-setup.ts`. */
    sharedKeysDir: string;
  }
}

type Keygen = typeof keygen;

/** How many keys of each size this test file has drawn so far (module state: one per test file). */
const drawn = new Map<number, number>();

/**
 * `keygen` with RSA keys shared across the test files of a run, for specs where keys are a means, not what is
 * tested: a 4096-bit key costs seconds, and those specs ask for about 150 keys. A spec opts in with
 *
 *     vi.mock(import('<path to>/keygen'), async (original) =>
 *       (await import('<path to>/test-support/shared-keys')).withSharedKeys(await original()));
 *
 * The n-th key of a size a file asks for is the run's n-th key of that size: real keys of the requested
 * size, each distinct from every other one the same file gets, as fresh generation would be; only other
 * files see the same ones. The first file to ask for a key generates it with the real generator and keeps
 * it in the run's folder (0700, deleted at the end of the run). Without that folder (a run that is not set up
 * by `shared-keys-setup.ts`) every key is generated. Tests only.
 */
export function withSharedKeys(original: Keygen): Keygen {
  const dir = inject('sharedKeysDir');
  if (!dir) return original;
  return {
    ...original,
    async generateRsaKeyPair(bits) {
      const index = drawn.get(bits) ?? 0;
      drawn.set(bits, index + 1);
      const privateKey = forge.pki.privateKeyFromPem(
        await sharedKeyPem(dir, bits, index, original),
      ) as forge.pki.rsa.PrivateKey;
      return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
    },
  };
}

/** The run's `index`-th key of `bits` bits as PKCS#8 PEM, generated and kept when no file has made it yet. */
async function sharedKeyPem(dir: string, bits: number, index: number, original: Keygen): Promise<string> {
  const path = join(dir, `rsa-${bits}-${index}.pem`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pem = original.privateKeyToPkcs8Pem((await original.generateRsaKeyPair(bits)).privateKey);
  // Written aside, then linked into place: another file reads the whole key or none. Two files racing for
  // the same key each use their own; the first link wins the slot.
  const draft = `${path}.${process.pid}`;
  writeFileSync(draft, pem, { mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  return pem;
}
