import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import type { GatewayClient } from '@homefaas/gateway-client';
import type { StepResult } from '../common/step';
import { writeFileAtomic } from '../common/write-file-atomic';

/** The secrets a function names, read from the local secrets folder, and what was last sent for each. */
export interface LocalSecrets {
  values: Map<string, string>;
  /** Secret names whose value differs from what this machine last sent to this gateway (or never sent). */
  changed: string[];
  stateFile: string;
  state: Record<string, string>;
}

/** Input of {@link readLocalSecrets}. */
export interface LocalSecretsOptions {
  names: readonly string[];
  /** Absolute `infra/secrets`. */
  secretsDir: string;
  /** Absolute `.homefaas/state`. */
  stateDir: string;
  gatewayUrl: string;
  namespace?: string;
  root: string;
}

/**
 * Reads `infra/secrets/<name>` for every secret the function names (bytes as they are, like
 * `faas-cli secret create --from-file`), and compares each with the fingerprint recorded when it was last
 * sent to this gateway. Fingerprints live in the git-ignored state folder, next to nothing else.
 */
export async function readLocalSecrets(options: LocalSecretsOptions): Promise<LocalSecrets> {
  const values = new Map<string, string>();
  for (const name of options.names) {
    const path = join(options.secretsDir, name);
    try {
      values.set(name, await readFile(path, 'utf8'));
    } catch (error) {
      const shown = relative(options.root, path);
      throw new HomefaasError(
        'ERR_SECRET_FILE_MISSING',
        `stack.yml names secret ${name}, but ${shown} cannot be read.`,
        {
          hint: `Write its value into ${shown} (the folder is git-ignored), e.g. printf '%s' "$VALUE" > ${shown}`,
          cause: error,
        },
      );
    }
  }
  const stateFile = join(options.stateDir, 'secrets.json');
  const state = await readState(stateFile);
  const changed = [...values]
    .filter(([name, value]) => state[stateKey(options, name)] !== fingerprint(value))
    .map(([name]) => name);
  return { values, changed, stateFile, state };
}

/**
 * Creates or updates (POST, on 409 PUT) every secret missing on the gateway or changed locally, and records
 * what was sent. Returns the step and whether any secret changed (the function is then redeployed so it
 * reads the new value).
 */
export async function ensureSecrets(
  client: GatewayClient,
  local: LocalSecrets,
  options: LocalSecretsOptions & { dryRun?: boolean },
): Promise<StepResult & { sent: string[] }> {
  const listed = new Set(await client.listSecrets(options.namespace));
  const send = [...local.values.keys()].filter((name) => !listed.has(name) || local.changed.includes(name));
  const name = 'secrets';
  if (send.length === 0) {
    return {
      name,
      changed: false,
      detail: `${[...local.values.keys()].join(', ')} up to date on the gateway`,
      sent: [],
    };
  }
  if (options.dryRun) return { name, changed: true, detail: `would send ${send.join(', ')}`, sent: [] };
  const done: string[] = [];
  for (const secret of send) {
    const value = local.values.get(secret) ?? '';
    const how = await client.upsertSecret({
      name: secret,
      value,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
    local.state[stateKey(options, secret)] = fingerprint(value);
    done.push(`${secret} (${how})`);
  }
  await writeFileAtomic(local.stateFile, `${JSON.stringify(local.state, null, 2)}\n`, { mode: 0o600 });
  return {
    name,
    changed: true,
    detail: `sent ${done.join(', ')} from ${relative(options.root, options.secretsDir)}`,
    sent: send,
  };
}

function stateKey(options: Pick<LocalSecretsOptions, 'gatewayUrl' | 'namespace'>, name: string): string {
  return `${options.gatewayUrl} ${options.namespace ?? ''} ${name}`;
}

function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

async function readState(path: string): Promise<Record<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    // Missing or damaged: every secret is sent again, which is always safe.
    return {};
  }
}
