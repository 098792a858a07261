import { readOptionalSecret, readSecret, type SecretPromptInput } from '../common/secret-input';

/** Environment variables of the CA key's passphrase. */
export const CA_PASSPHRASE_ENV = Object.freeze({
  envVar: 'HOMEFAAS_CA_PASSPHRASE',
  fileEnvVar: 'HOMEFAAS_CA_PASSPHRASE_FILE',
});
/** Environment variables of an adopted key's current passphrase (`nx g ca --importKey`). */
export const CA_IMPORT_PASSPHRASE_ENV = Object.freeze({
  envVar: 'HOMEFAAS_CA_IMPORT_PASSPHRASE',
  fileEnvVar: 'HOMEFAAS_CA_IMPORT_PASSPHRASE_FILE',
});
/** Where a CA passphrase comes from, for hints. */
export const CA_PASSPHRASE_SOURCES = sources(CA_PASSPHRASE_ENV);
/** Where an adopted key's passphrase comes from, for hints. */
export const CA_IMPORT_PASSPHRASE_SOURCES = sources(CA_IMPORT_PASSPHRASE_ENV);

/** How to ask for a passphrase: the prompt's words, and where the variables and the terminal are. */
export interface CaPassphraseRequest {
  /** What the prompt asks for, e.g. `CA passphrase`. */
  label: string;
  env: NodeJS.ProcessEnv;
  /** Terminal to prompt on (only when it is a TTY); `process.stdin` by default. */
  input?: SecretPromptInput;
  /** Ask twice at the prompt (a new passphrase). */
  confirm?: boolean;
}

/**
 * The CA key's passphrase: HOMEFAAS_CA_PASSPHRASE, else the file HOMEFAAS_CA_PASSPHRASE_FILE names, else a
 * no-echo prompt on a terminal; ERR_SECRET_MISSING when there is none of them.
 */
export function readCaPassphrase(request: CaPassphraseRequest): Promise<string> {
  return readSecret({ ...CA_PASSPHRASE_ENV, ...request });
}

/** An adopted key's current passphrase, like {@link readCaPassphrase}; `undefined` when none is given. */
export function readImportPassphrase(request: CaPassphraseRequest): Promise<string | undefined> {
  return readOptionalSecret({ ...CA_IMPORT_PASSPHRASE_ENV, ...request });
}

function sources(spec: { envVar: string; fileEnvVar: string }): string {
  return `${spec.envVar} (or ${spec.fileEnvVar})`;
}
