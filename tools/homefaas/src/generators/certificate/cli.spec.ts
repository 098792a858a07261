import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real CLI, end to end, in a scratch workspace: `nx g ca` then `nx g certificate`, as a person runs them.
const REPO = resolve(__dirname, '../../../../..');
const PASSPHRASE = 'cli passphrase 1';
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'homefaas-cli-'));
  cpSync(join(REPO, 'nx.json'), join(root, 'nx.json'));
  cpSync(join(REPO, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, workspaces: ['tools/*'] }),
  );
  mkdirSync(join(root, 'tools'));
  cpSync(join(REPO, 'tools/homefaas'), join(root, 'tools/homefaas'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function nx(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = execFile(
      join(root, 'node_modules/.bin/nx'),
      args,
      {
        cwd: root,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...env },
        timeout: 90_000,
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin?.end();
  });
}

function openssl(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) =>
    execFile('openssl', args, { cwd: root }, (error, stdout, stderr) =>
      done({ code: error ? 1 : 0, output: stdout + stderr }),
    ),
  );
}

describe('npx nx g ca / certificate', () => {
  it('creates the CA non-interactively from HOMEFAAS_CA_PASSPHRASE, never printing it', async () => {
    const result = await nx(
      ['g', 'ca', '--permittedDomains', 'home.lan', '--permittedIps', '127.0.0.1/32', '--keyBits', '3072'],
      {
        HOMEFAAS_CA_PASSPHRASE: PASSPHRASE,
      },
    );
    expect(result.output).toContain('wrote infra/ca/homeCA.pem');
    expect(result.code).toBe(0);
    expect(result.output).not.toContain(PASSPHRASE);
    expect(statSync(join(root, 'infra/ca/homeCA.key')).mode & 0o777).toBe(0o600);
    const pkey = await openssl([
      'pkey',
      '-in',
      'infra/ca/homeCA.key',
      '-passin',
      `pass:${PASSPHRASE}`,
      '-noout',
    ]);
    expect(pkey.code).toBe(0);
  }, 90_000);

  it('--dry-run of the certificate writes nothing', async () => {
    const result = await nx(
      ['g', 'certificate', 'docker-registry.home.lan', '--ip', '127.0.0.1', '--dry-run'],
      {
        HOMEFAAS_CA_PASSPHRASE: PASSPHRASE,
      },
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain('will write infra/certs/docker-registry.home.lan.key');
    expect(existsSync(join(root, 'infra/certs'))).toBe(false);
  }, 90_000);

  it('issues the certificate that openssl verifies against the CA', async () => {
    const result = await nx(['g', 'certificate', 'docker-registry.home.lan', '--ip', '127.0.0.1'], {
      HOMEFAAS_CA_PASSPHRASE: PASSPHRASE,
    });
    expect(result.code).toBe(0);
    const verify = await openssl([
      'verify',
      '-CAfile',
      'infra/ca/homeCA.pem',
      'infra/certs/docker-registry.home.lan.crt',
    ]);
    expect(verify.output).toContain(': OK');
    expect(statSync(join(root, 'infra/certs/docker-registry.home.lan.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(root, 'infra/certs/docker-registry.home.lan.fullchain.pem'), 'utf8')).toContain(
      readFileSync(join(root, 'infra/ca/homeCA.pem'), 'utf8').trim(),
    );
  }, 90_000);

  it('fails with the reason and what to do for a name outside the constraints', async () => {
    const result = await nx(['g', 'certificate', 'registry.example.com'], {
      HOMEFAAS_CA_PASSPHRASE: PASSPHRASE,
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('registry.example.com is outside the CA');
    expect(result.output).toContain('→ Use names inside');
    expect(existsSync(join(root, 'infra/certs/registry.example.com.crt'))).toBe(false);
  }, 90_000);

  it('`nx g ca` on a damaged CA fails, naming the file and what to do, and changes nothing', async () => {
    const path = join(root, 'infra/ca/homeCA.pem');
    const whole = readFileSync(path, 'utf8');
    writeFileSync(path, whole.slice(0, 400));
    try {
      const result = await nx(['g', 'ca'], { HOMEFAAS_CA_PASSPHRASE: PASSPHRASE });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(
        'The CA certificate infra/ca/homeCA.pem is cut short: its "-----END CERTIFICATE-----" line is missing.',
      );
      expect(result.output).toContain(
        '→ Restore it from version control (git checkout -- infra/ca/homeCA.pem)',
      );
      expect(result.output).not.toContain('Nothing changed');
      expect(readFileSync(path, 'utf8')).toBe(whole.slice(0, 400));
    } finally {
      writeFileSync(path, whole);
    }
  }, 90_000);
});
