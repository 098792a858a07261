const MASK = '***';

/** Replaces every occurrence of each given secret in `text` with `***`, for commands and output we print. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    out = out.split(secret).join(MASK);
  }
  return out;
}
