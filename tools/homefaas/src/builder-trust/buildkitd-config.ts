import { HomefaasError } from '@homefaas/core';

/** Where buildx puts a builder's registry files inside its container (buildx `confutil.DefaultBuildKitConfigDir`). */
export const BUILDKIT_CONFIG_DIR_IN_CONTAINER = '/etc/buildkit';

/** One `[registry."host:port"]` table of a buildkitd.toml: the CA files BuildKit trusts for that registry. */
export interface RegistryCaEntry {
  /** `host:port`, exactly as images name the registry. */
  registry: string;
  caPaths: string[];
}

/** What {@link upsertRegistryCa} produced: the new text, and whether it differs from the old. */
export interface UpsertResult {
  text: string;
  changed: boolean;
}

/**
 * The folder name buildx gives a registry's certificates inside the builder (`certs/<name>`): every run of
 * characters other than letters, digits, `.` and `-` becomes `_` (buildx `reInvalidCertsDir`).
 */
export function certsDirName(registry: string): string {
  return registry.replace(/[^a-zA-Z0-9.-]+/g, '_');
}

/**
 * A buildkitd.toml that trusts each registry's CA (https://github.com/moby/buildkit/blob/master/docs/buildkitd.toml.md).
 * `header` lines become comments at the top.
 */
export function formatBuildkitdConfig(
  entries: readonly RegistryCaEntry[],
  header: readonly string[] = [],
): string {
  const comments = header.map((line) => `# ${line}`.trimEnd());
  const tables = entries.map((entry) => formatTable(entry).join('\n'));
  return `${[...comments, ...(comments.length > 0 ? [''] : []), tables.join('\n\n')].join('\n')}\n`;
}

/**
 * Makes `text` (a buildkitd.toml, possibly empty or hand-written) list `caPath` under the registry's table,
 * keeping everything else byte for byte: other tables, comments, other CA files of the same registry.
 */
export function upsertRegistryCa(text: string, registry: string, caPath: string): UpsertResult {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const table = findRegistryTable(lines, registry);
  if (table === undefined) {
    if (mentionsOutsideHeader(lines, registry)) {
      throw new HomefaasError(
        'ERR_BUILDKIT_CONFIG_UNSUPPORTED',
        `The buildkitd config names ${registry} in a form other than a [registry."${registry}"] table.`,
        { hint: `Rewrite it as [registry."${registry}"] with ca = ["${caPath}"], then run again.` },
      );
    }
    const block = formatTable({ registry, caPaths: [caPath] });
    const separator = lines.length > 0 && lines[lines.length - 1]?.trim() !== '' ? [''] : [];
    return { text: `${[...lines, ...separator, ...block].join('\n')}\n`, changed: true };
  }
  const ca = findCaAssignment(lines, table);
  if (ca === undefined) {
    lines.splice(table.header + 1, 0, `  ca = [${quote(caPath)}]`);
    return { text: `${lines.join('\n')}\n`, changed: true };
  }
  if (ca.values.includes(caPath)) return { text, changed: false };
  const indent = lines[ca.start]?.match(/^\s*/)?.[0] ?? '  ';
  lines.splice(
    ca.start,
    ca.end - ca.start + 1,
    `${indent}ca = [${[...ca.values, caPath].map(quote).join(', ')}]`,
  );
  return { text: `${lines.join('\n')}\n`, changed: true };
}

/** The CA files listed for `registry` in a buildkitd.toml; `undefined` when the registry has no table. */
export function readRegistryCaPaths(text: string, registry: string): string[] | undefined {
  const lines = text.split('\n');
  const table = findRegistryTable(lines, registry);
  if (table === undefined) return undefined;
  return findCaAssignment(lines, table)?.values ?? [];
}

/**
 * Why a builder node's stored files (buildx keeps them in `instances/<name>`: `buildkitd.toml` rewritten to
 * in-container paths, plus `certs/<registry>/<file>`) do not make BuildKit trust `caPem` for `registry`;
 * `undefined` when they do.
 */
export function missingCaReason(
  files: Readonly<Record<string, string>>,
  registry: string,
  caPem: string,
): string | undefined {
  const config = files['buildkitd.toml'];
  if (config === undefined) return 'it was created without a buildkitd config';
  const paths = readRegistryCaPaths(config, registry);
  if (paths === undefined || paths.length === 0) return `its buildkitd config has no CA for ${registry}`;
  const wanted = normalizePem(caPem);
  const trusted = paths.some((path) => {
    const key = path.startsWith(`${BUILDKIT_CONFIG_DIR_IN_CONTAINER}/`)
      ? path.slice(BUILDKIT_CONFIG_DIR_IN_CONTAINER.length + 1)
      : path;
    const stored = files[key];
    return stored !== undefined && normalizePem(stored).includes(wanted);
  });
  return trusted ? undefined : `the CA it stores for ${registry} is not the workspace CA`;
}

/** PEM text without line-ending and blank-line differences, for comparing certificates. */
export function normalizePem(pem: string): string {
  return pem.replace(/\r/g, '').replace(/\n+/g, '\n').trim();
}

interface TableRange {
  header: number;
  /** Index after the table's last line. */
  end: number;
}

function formatTable(entry: RegistryCaEntry): string[] {
  return [`[registry.${quote(entry.registry)}]`, `  ca = [${entry.caPaths.map(quote).join(', ')}]`];
}

function findRegistryTable(lines: readonly string[], registry: string): TableRange | undefined {
  const header = lines.findIndex((line) => {
    const match = line.match(/^\s*\[\s*registry\s*\.\s*(?:"([^"]*)"|'([^']*)')\s*\]\s*(?:#.*)?$/);
    return match !== null && (match[1] ?? match[2]) === registry;
  });
  if (header === -1) return undefined;
  let end = header + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end] ?? '')) end++;
  return { header, end };
}

function findCaAssignment(
  lines: readonly string[],
  table: TableRange,
): { start: number; end: number; values: string[] } | undefined {
  for (let start = table.header + 1; start < table.end; start++) {
    if (!/^\s*ca\s*=/.test(lines[start] ?? '')) continue;
    // An array may span several lines: read until its closing bracket.
    let end = start;
    let joined = lines[start] ?? '';
    while (!/\]\s*(#.*)?$/.test(stripStrings(joined)) && end + 1 < table.end) {
      end++;
      joined += `\n${lines[end] ?? ''}`;
    }
    const values = [...joined.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) =>
      m[1] !== undefined ? unescapeBasic(m[1]) : (m[2] ?? ''),
    );
    return { start, end, values };
  }
  return undefined;
}

function mentionsOutsideHeader(lines: readonly string[], registry: string): boolean {
  return lines.some((line) => !line.trim().startsWith('#') && line.includes(registry));
}

function stripStrings(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');
}

/** A TOML basic string: JSON's escapes (\\, \", \n, \uXXXX for control characters) are all TOML's too. */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** The value of a TOML basic string's body; one TOML-only escape (\UXXXXXXXX) is left as written. */
function unescapeBasic(value: string): string {
  try {
    return JSON.parse(`"${value}"`) as string;
  } catch {
    return value.replace(/\\(["\\])/g, '$1');
  }
}
