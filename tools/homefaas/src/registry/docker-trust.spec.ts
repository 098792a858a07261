import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHomefaasError } from '@homefaas/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDaemonTrust, daemonTrustFile, ensureDaemonTrust } from './docker-trust';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const OTHER = '-----BEGIN CERTIFICATE-----\nMIIBother\n-----END CERTIFICATE-----\n';
const address = 'docker-registry.home.lan:5000';

describe('ensureDaemonTrust', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homefaas-trust-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const options = () => ({
    certsDir: join(dir, 'certs.d'),
    address,
    caPem: CA,
    caDisplayPath: 'infra/ca/homeCA.pem',
  });

  it('writes <certsDir>/<host>:<port>/ca.crt readable by everyone, then leaves it alone', async () => {
    const first = await ensureDaemonTrust(options());
    const file = join(dir, 'certs.d', address, 'ca.crt');
    expect(first).toEqual({ name: 'daemon trust', changed: true, detail: `wrote ${file}` });
    expect(await readFile(file, 'utf8')).toBe(CA);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    const second = await ensureDaemonTrust(options());
    expect(second.changed).toBe(false);
    expect(await checkDaemonTrust(options())).toMatchObject({ ok: true, state: 'trusted' });
  });

  it('replaces a file that holds another certificate, and says so', async () => {
    const file = daemonTrustFile(options().certsDir, address);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, OTHER);
    expect(await checkDaemonTrust(options())).toMatchObject({ ok: false, state: 'different' });
    const result = await ensureDaemonTrust(options());
    expect(result.changed).toBe(true);
    expect(result.detail).toContain('holds another certificate');
    expect(await readFile(file, 'utf8')).toBe(CA);
    // The certificate someone put there is kept, under a name the daemon does not read as a CA.
    const kept = (await readdir(join(file, '..'))).filter((name) => name !== 'ca.crt');
    expect(kept).toEqual([expect.stringMatching(/^ca\.crt\.homefaas-backup-\d{8}T\d{6}$/)]);
    expect(await readFile(join(file, '..', kept[0] as string), 'utf8')).toBe(OTHER);
    expect(result.detail).toBe(
      `wrote ${file} (${file} holds another certificate than our CA before; kept as ${join(file, '..', kept[0] as string)})`,
    );
  });

  it('accepts the same certificate with CRLF line ends', async () => {
    const file = daemonTrustFile(options().certsDir, address);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, CA.replace(/\n/g, '\r\n'));
    expect((await ensureDaemonTrust(options())).changed).toBe(false);
  });

  it('gives the exact sudo command when the folder is not writable', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    // root ignores permission bits; an immutable folder refuses even root.
    if (process.getuid?.() === 0) execFileSync('chattr', ['+i', locked]);
    else execFileSync('chmod', ['0555', locked]);
    try {
      const error = await ensureDaemonTrust({ ...options(), certsDir: locked }).catch((e: unknown) => e);
      expect(isHomefaasError(error, 'ERR_DOCKER_TRUST_NOT_WRITABLE')).toBe(true);
      expect(isHomefaasError(error) && error.hint).toBe(
        `From the workspace root run: sudo install -D -m 0644 infra/ca/homeCA.pem ${locked}/${address}/ca.crt (then run this again).`,
      );
    } finally {
      if (process.getuid?.() === 0) execFileSync('chattr', ['-i', locked]);
      else execFileSync('chmod', ['0755', locked]);
    }
  });
});
