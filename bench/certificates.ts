/**
 * Times CA + server certificate creation: homefaas (node-forge on Node's native RSA key generation) against
 * the seed setup's openssl commands, same key sizes (CA 4096, leaf 2048), interleaved, in one run.
 * Run: npx tsx bench/certificates.ts [repetitions]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCa,
  decryptPrivateKey,
  encryptPrivateKey,
  issueServerCertificate,
  usesNativeKeyGeneration,
} from '@homefaas/certificates';
import forge from 'node-forge';

const REPETITIONS = Number(process.argv[2] ?? 7);
const PASSPHRASE = 'bench passphrase';

interface Sample {
  ca: number;
  leaf: number;
}

async function ours(withKeyEncryption: boolean): Promise<Sample> {
  const start = performance.now();
  const ca = await createCa({
    commonName: 'bench CA',
    permittedDomains: ['home.lan'],
    permittedIps: [],
    days: 1825,
    keyBits: 4096,
  });
  const stored = withKeyEncryption ? encryptPrivateKey(ca.keyPem, PASSPHRASE) : ca.keyPem;
  const afterCa = performance.now();
  const keyPem = withKeyEncryption ? decryptPrivateKey(stored, PASSPHRASE) : stored;
  await issueServerCertificate(
    { certPem: ca.certPem, keyPem },
    { dnsNames: ['docker-registry.home.lan'], ips: ['127.0.0.1'], days: 825 },
  );
  return { ca: afterCa - start, leaf: performance.now() - afterCa };
}

/** The seed's create_ca.sh and generate_certificate.sh, with the passphrase given on the command line. */
function seed(dir: string): Sample {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const start = performance.now();
  openssl('genrsa', '-des3', '-passout', `pass:${PASSPHRASE}`, '-out', 'homeCA.key', '4096');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    'homeCA.key',
    '-passin',
    `pass:${PASSPHRASE}`,
    '-sha256',
    '-days',
    '1825',
    '-subj',
    '/CN=bench CA',
    '-out',
    'homeCA.pem',
  );
  const afterCa = performance.now();
  openssl('genrsa', '-out', 'leaf.key', '2048');
  openssl('req', '-new', '-key', 'leaf.key', '-subj', '/CN=docker-registry.home.lan', '-out', 'leaf.csr');
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'homeCA.pem',
    '-CAkey',
    'homeCA.key',
    '-passin',
    `pass:${PASSPHRASE}`,
    '-CAcreateserial',
    '-out',
    'leaf.crt',
    '-days',
    '825',
    '-sha256',
    '-extfile',
    'leaf.ext',
  );
  return { ca: afterCa - start, leaf: performance.now() - afterCa };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function row(name: string, samples: Sample[]): { name: string; ca: number; leaf: number; total: number } {
  return {
    name,
    ca: median(samples.map((s) => s.ca)),
    leaf: median(samples.map((s) => s.leaf)),
    total: median(samples.map((s) => s.ca + s.leaf)),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'homefaas-bench-'));
  writeFileSync(
    join(dir, 'leaf.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:docker-registry.home.lan,IP:127.0.0.1\n',
  );
  console.log(
    `node-forge native key generation: ${usesNativeKeyGeneration()} (forge.options.usePureJavaScript = false)`,
  );
  console.log(`${REPETITIONS} repetitions, interleaved; CA RSA 4096, leaf RSA 2048; milliseconds, medians\n`);
  const results = { ours: [] as Sample[], oursEncrypted: [] as Sample[], seed: [] as Sample[] };
  try {
    await ours(false);
    seed(dir);
    for (let i = 0; i < REPETITIONS; i++) {
      results.ours.push(await ours(false));
      results.oursEncrypted.push(await ours(true));
      results.seed.push(seed(dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const options = (forge as unknown as { options: { usePureJavaScript: boolean } }).options;
  options.usePureJavaScript = true;
  const pureStart = performance.now();
  forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const pure2048 = performance.now() - pureStart;
  options.usePureJavaScript = false;

  const rows = [
    row('homefaas (forge + native keygen)', results.ours),
    row('homefaas + key encryption (PBKDF2 600k)', results.oursEncrypted),
    row('seed openssl commands', results.seed),
  ];
  const seedRow = rows[2];
  console.log(
    `${'variant'.padEnd(42)}${'CA'.padStart(9)}${'leaf'.padStart(9)}${'total'.padStart(9)}  vs seed`,
  );
  for (const r of rows) {
    const ratio = seedRow ? (r.total / seedRow.total).toFixed(2) : '-';
    console.log(
      `${r.name.padEnd(42)}${r.ca.toFixed(0).padStart(9)}${r.leaf.toFixed(0).padStart(9)}${r.total.toFixed(0).padStart(9)}  ${ratio}x`,
    );
  }
  console.log(
    `\nfor scale: one 2048-bit key with forge forced to pure JavaScript took ${pure2048.toFixed(0)} ms`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
