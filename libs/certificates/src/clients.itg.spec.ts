import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from './ca';
import { issueServerCertificate } from './leaf';
import { run, scratch } from './test-support/test-tools';
import type { CaMaterial } from './types';

// Real TLS clients as the judges of our CA and leaf encoding: the docker CLI (Go's crypto/x509, like
// dockerd, containerd, k3s and BuildKit), curl and openssl (OpenSSL), and Node. A loopback HTTPS server
// that answers 404 to everything serves a leaf of each CA: a 404 proves that the client parsed the CA,
// built the chain and finished the handshake.
const files = scratch('homefaas-clients-');
const NOT_DOCKER = 'not a docker daemon';

interface Case {
  label: string;
  ca: () => Promise<CaMaterial>;
  dnsNames: string[];
}

const made = (commonName: string) => () =>
  createCa({
    commonName,
    permittedDomains: ['home.lan'],
    permittedIps: ['127.0.0.0/8'],
    days: 30,
    keyBits: 3072,
  });

/** A CA made by openssl with a UTF-8 organisation and name: our leaves must carry its subject bytes. */
const openssl = async (): Promise<CaMaterial> => {
  const key = join(files.dir, 'openssl-ca.key');
  expect(run('openssl', ['genrsa', '-out', key, '2048']).status).toBe(0);
  const cert = run('openssl', [
    'req',
    '-x509',
    '-new',
    '-utf8',
    '-key',
    key,
    '-days',
    '30',
    '-subj',
    '/O=Famille Müller/CN=Mäuse Root CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  expect(cert.status).toBe(0);
  return { certPem: cert.stdout, keyPem: run('openssl', ['pkey', '-in', key]).stdout };
};

const CASES: Case[] = [
  { label: 'an ASCII name', ca: made('homefaas CA'), dnsNames: ['registry.home.lan'] },
  { label: 'a Latin-1 name (Hôme CA)', ca: made('Hôme CA'), dnsNames: ['registry.home.lan'] },
  { label: 'a name beyond Latin-1 (☃ CA)', ca: made('☃ Schneemann CA'), dnsNames: ['registry.home.lan'] },
  {
    label: 'ASCII outside PrintableString (A&B_CA)',
    ca: made('A&B_CA @ home'),
    dnsNames: ['registry.home.lan'],
  },
  { label: 'an openssl CA with a UTF-8 subject', ca: openssl, dnsNames: ['registry.home.lan'] },
  {
    label: 'a leaf whose first name is too long for a CN',
    ca: made('homefaas CA'),
    dnsNames: [`${'n'.repeat(60)}.registry.home.lan`],
  },
];

interface Served {
  caFile: string;
  port: number;
  close: () => Promise<void>;
}
const served = new Map<string, Served | Error>();

/** Serves a leaf of the case's CA on loopback; a failure is kept and fails that case's tests only. */
async function serve(item: Case, index: number): Promise<Served> {
  const ca = await item.ca();
  const leaf = await issueServerCertificate(ca, { dnsNames: item.dnsNames, ips: ['127.0.0.1'], days: 10 });
  const caFile = files.file(`ca-${index}.pem`, ca.certPem);
  const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_request, response) => {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(NOT_DOCKER);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { caFile, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  for (const [i, item] of CASES.entries()) {
    served.set(item.label, await serve(item, i).catch((error: Error) => error));
  }
});
afterAll(async () => {
  await Promise.all(
    [...served.values()].map((server) => (server instanceof Error ? undefined : server.close())),
  );
  files.remove();
});

/** Runs a client without blocking this process, which serves the TLS side; its stdin is closed at once. */
function client(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve(`${stdout}${stderr}`),
    );
    child.stdin?.end();
  });
}

function server(label: string): Served {
  const found = served.get(label);
  if (found === undefined || found instanceof Error) throw found ?? new Error(`no server for ${label}`);
  return found;
}

describe.each(CASES.map((item) => item.label))('%s', (label) => {
  it('the docker CLI (Go) accepts the CA and completes the handshake', async () => {
    const { caFile, port } = server(label);
    const home = join(files.dir, `docker-${port}`);
    mkdirSync(home, { recursive: true });
    const env = { PATH: process.env.PATH, HOME: home, DOCKER_CONFIG: home, DOCKER_CERT_PATH: home };
    const output = await client(
      'docker',
      ['--tlsverify', '--tlscacert', caFile, '-H', `tcp://127.0.0.1:${port}`, 'version'],
      env,
    );
    expect(output).not.toMatch(/x509|seems invalid|certificate|tls:/i);
    expect(output).toContain(`Error response from daemon: ${NOT_DOCKER}`);
  });

  it('curl (OpenSSL) verifies it', async () => {
    const { caFile, port } = server(label);
    const output = await client('curl', [
      '-sS',
      '--cacert',
      caFile,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://127.0.0.1:${port}/`,
    ]);
    expect(output).toBe('404');
  });

  it('openssl s_client verifies it', async () => {
    const { caFile, port } = server(label);
    const output = await client('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-CAfile',
      caFile,
      '-verify_return_error',
      '-verify_ip',
      '127.0.0.1',
      '-brief',
    ]);
    expect(output).toContain('Verification: OK');
  });

  it('Node verifies it', async () => {
    const { caFile, port } = server(label);
    const status = await new Promise<number | string>((resolve) => {
      const ca = run('cat', [caFile]).stdout;
      get(`https://127.0.0.1:${port}/`, { ca }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', (error) => resolve(error.message));
    });
    expect(status).toBe(404);
  });
});
