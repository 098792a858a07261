/** A parsed `WWW-Authenticate` challenge (RFC 7235), e.g. `Bearer realm="...",service="...",scope="..."`. */
export interface Challenge {
  /** Lower-cased: `basic` or `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/** Parses the first challenge of a `WWW-Authenticate` header; `undefined` when there is none. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const match = header?.trim().match(/^([A-Za-z][\w-]*)(?:\s+(.*))?$/s);
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  const paramPattern = /\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/gy;
  const rest = match[2] ?? '';
  for (let found = paramPattern.exec(rest); found && found[0] !== ''; found = paramPattern.exec(rest)) {
    const [, key = '', quoted, token] = found;
    params[key.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (token ?? '');
    if (paramPattern.lastIndex >= rest.length) break;
  }
  return { scheme: match[1].toLowerCase(), params };
}
