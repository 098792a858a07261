/** `${VAR}` and `${VAR:-default}`; names as in POSIX shells. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in `text` from `env`, as faas-cli does before parsing stack.yml:
 * an unset variable becomes the empty string; `:-` also applies when the variable is set but empty.
 */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback ?? '';
    return value;
  });
}
