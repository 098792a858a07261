import { constants } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HomefaasError } from '@homefaas/core';
import { formatCommand } from '@homefaas/docker-engine';
import { fileErrorCode } from '../common/file-errors';
import type { StepResult } from '../common/step';
import { writeFileAtomic } from '../common/write-file-atomic';

/** Where the Docker daemon looks for a registry's CA: `<certsDir>/<host>:<port>/ca.crt`. */
export function daemonTrustFile(certsDir: string, address: string): string {
  return join(certsDir, address, 'ca.crt');
}

/** Input of {@link ensureDaemonTrust} and {@link checkDaemonTrust}. */
export interface DaemonTrustOptions {
  /** `/etc/docker/certs.d` on Linux. */
  certsDir: string;
  /** `host:port` of the registry. */
  address: string;
  caPem: string;
  /** The CA file as the person should type it in the sudo command (relative to the workspace root). */
  caDisplayPath: string;
}

/** What the certs.d file holds now. */
export type DaemonTrustState = 'trusted' | 'missing' | 'different' | 'unreadable';

/** Whether the daemon already trusts the CA for this registry: the certs.d file exists and equals the CA. */
export async function checkDaemonTrust(
  options: DaemonTrustOptions,
): Promise<{ ok: boolean; state: DaemonTrustState; detail: string }> {
  const file = daemonTrustFile(options.certsDir, options.address);
  let current: string;
  try {
    current = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ok: false, state: 'missing', detail: `${file} does not exist` };
    if (code === 'EACCES')
      return { ok: false, state: 'unreadable', detail: `${file} cannot be read (EACCES)` };
    throw error;
  }
  if (samePem(current, options.caPem)) return { ok: true, state: 'trusted', detail: `${file} is our CA` };
  return { ok: false, state: 'different', detail: `${file} holds another certificate than our CA` };
}

/**
 * Makes the Docker daemon trust the CA for the registry (certs.d is read on each connection: no restart).
 * When the folder is not writable, ERR_DOCKER_TRUST_NOT_WRITABLE gives the exact command to run with sudo.
 */
export async function ensureDaemonTrust(options: DaemonTrustOptions): Promise<StepResult> {
  const name = 'daemon trust';
  const check = await checkDaemonTrust(options);
  if (check.ok) return { name, changed: false, detail: check.detail };
  const file = daemonTrustFile(options.certsDir, options.address);
  // Another certificate there was put by someone: it is kept beside, under a name Docker does not read
  // (it reads only *.crt, *.cert and *.key).
  const backup = check.state === 'different' ? `${file}.homefaas-backup-${timestamp()}` : undefined;
  try {
    if (backup) await copyFile(file, backup, constants.COPYFILE_EXCL);
    await writeFileAtomic(file, options.caPem, { mode: 0o644 });
  } catch (error) {
    const code = fileErrorCode(error) ?? '';
    if (!['EACCES', 'EPERM', 'EROFS'].includes(code)) throw error;
    const install = formatCommand('sudo', ['install', '-D', '-m', '0644', options.caDisplayPath, file]);
    throw new HomefaasError(
      'ERR_DOCKER_TRUST_NOT_WRITABLE',
      `Cannot write ${file} (${code}): ${check.detail}.`,
      {
        hint: `From the workspace root run: ${install} (then run this again).`,
        cause: error,
      },
    );
  }
  const before =
    check.state === 'missing' ? '' : ` (${check.detail} before${backup ? `; kept as ${backup}` : ''})`;
  return { name, changed: true, detail: `wrote ${file}${before}` };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
}

function samePem(a: string, b: string): boolean {
  const normalize = (pem: string) => pem.replace(/\r\n/g, '\n').trim();
  return normalize(a) === normalize(b);
}
