import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Test-only: certificates made by the real openssl CLI, so tests of our own certificates code never
// check it against itself.

/** A certificate and its key, as PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** A CA made by the openssl CLI, able to sign leaves with any validity window. */
export interface TestCa extends KeyPair {
  /** Issues a server leaf with the given SANs (`DNS:localhost`, `IP:127.0.0.1`). Dates: YYYYMMDDHHMMSSZ. */
  issue(name: string, sans: string[], dates?: { start: string; end: string }): KeyPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a root CA in `dir/<name>` with `openssl req -x509`, and signs leaves with `openssl ca`. */
export function createTestCa(dir: string, name: string): TestCa {
  const home = join(dir, name);
  mkdirSync(join(home, 'issued'), { recursive: true });
  writeFileSync(join(home, 'index.txt'), '');
  writeFileSync(
    join(home, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = test_ca',
      '[test_ca]',
      `dir = ${home}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/issued',
      'certificate = $dir/ca.pem',
      'private_key = $dir/ca.key',
      'rand_serial = yes',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      'copy_extensions = none',
      '[any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    home,
  );
  const read = (file: string) => readFileSync(join(home, file), 'utf8');
  return {
    cert: read('ca.pem'),
    key: read('ca.key'),
    issue(leaf, sans, dates) {
      writeFileSync(
        join(home, `${leaf}.ext`),
        [
          'basicConstraints = critical,CA:FALSE',
          'keyUsage = critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage = serverAuth',
          'authorityKeyIdentifier = keyid',
          `subjectAltName = ${sans.join(',')}`,
          '',
        ].join('\n'),
      );
      openssl(
        [
          'req',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          `${leaf}.key`,
          '-out',
          `${leaf}.csr`,
          '-subj',
          `/CN=${leaf}`,
        ],
        home,
      );
      const validity = dates ? ['-startdate', dates.start, '-enddate', dates.end] : ['-days', '30'];
      openssl(
        [
          'ca',
          '-batch',
          '-notext',
          '-config',
          'ca.cnf',
          '-in',
          `${leaf}.csr`,
          '-out',
          `${leaf}.crt`,
          '-extfile',
          `${leaf}.ext`,
          ...validity,
        ],
        home,
      );
      return { cert: read(`${leaf}.crt`), key: read(`${leaf}.key`) };
    },
  };
}

/**
 * A self-signed certificate (no CA at all) in `dir/<name>.crt` + `.key`, with the given SANs (none when
 * empty) and any more `-addext` extensions, e.g. `basicConstraints=critical,CA:FALSE`.
 */
export function createSelfSigned(
  dir: string,
  name: string,
  sans: string[],
  extensions: string[] = [],
): KeyPair {
  const added = [...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []), ...extensions];
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '30',
      '-subj',
      `/CN=${name}`,
      ...added.flatMap((extension) => ['-addext', extension]),
    ],
    dir,
  );
  return {
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  };
}

/** A CA and a server certificate for 127.0.0.1 / localhost, made by the real `openssl` CLI. */
export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** A second CA that signed nothing here: trusting it must not make the server trusted. */
  otherCaPem: string;
}

/** Makes a {@link TestPki} in a temporary folder, removed before returning. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'homefaas-pki-'));
  try {
    const ca = createTestCa(dir, 'ca');
    const other = createTestCa(dir, 'other');
    const server = ca.issue('server', ['IP:127.0.0.1', 'DNS:localhost']);
    return { caPem: ca.cert, certPem: server.cert, keyPem: server.key, otherCaPem: other.cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
