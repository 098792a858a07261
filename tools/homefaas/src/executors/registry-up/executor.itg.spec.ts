import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryTestWorkspace,
  curlStatus,
  type RegistryTestWorkspace,
} from '../../test-support/registry-itg-workspace';

// The commands a person types, through Nx, in a throw-away workspace: nx g registry, infra:registry-up and
// infra:doctor (own container name, certs.d and Docker config, so the machine's are not touched).
let ws: RegistryTestWorkspace;

beforeAll(async () => {
  ws = await createRegistryTestWorkspace('cli', { withNx: true });
});
afterAll(() => {
  ws.cleanup();
});

function nx(args: string[], secrets = true): { status: number; output: string } {
  const result = spawnSync('npx', ['nx', ...args], {
    cwd: ws.root,
    encoding: 'utf8',
    env: {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      REGISTRY_PASSWORD: secrets ? ws.password : '',
      HOMEFAAS_CA_PASSPHRASE: secrets ? ws.passphrase : '',
    },
  });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/** The certificate the registry presents, as DER, read by `openssl s_client`. */
function served(): Buffer {
  const handshake = spawnSync(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${ws.port}`, '-servername', 'docker-registry.home.lan'],
    { input: '', encoding: 'utf8' },
  );
  return execFileSync('openssl', ['x509', '-outform', 'DER'], { input: handshake.stdout });
}

/** The registry certificate file, as DER. */
function onDisk(): Buffer {
  const file = join(ws.root, 'infra/registry/certs/docker-registry.home.lan.crt');
  return execFileSync('openssl', ['x509', '-in', file, '-outform', 'DER']);
}

const local = () => [
  `--container=${ws.container}`,
  `--certsDir=${ws.certsDir}`,
  `--dockerConfig=${ws.dockerConfig}`,
];

describe('nx g registry, nx run infra:registry-up, nx run infra:doctor', () => {
  it('renders infra/registry/ and brings the registry up', () => {
    const generated = nx(['g', 'registry', `--port=${ws.port}`, '--ip=127.0.0.1']);
    expect(generated.output).toContain('CREATE infra/registry/docker-compose.yml');
    expect(generated.status).toBe(0);
    const up = nx(['run', 'infra:registry-up', ...local()]);
    expect(up.output).toContain(`↻ registry container: created and started ${ws.container}`);
    expect(up.output).toContain(`✔ registry: https://${ws.address}/v2/ answers`);
    expect(up.output).not.toContain(ws.password);
    expect(up.status).toBe(0);
    const caFile = join(ws.root, 'infra/ca/homeCA.pem');
    expect(curlStatus(`https://${ws.address}/v2/`, caFile)).toBe(401);
    expect(curlStatus(`https://${ws.address}/v2/`, caFile, `homefaas:${ws.password}`)).toBe(200);
  });

  it('doctor exits 0 when healthy, non-zero once the container is stopped, and registry-up brings it back', () => {
    const healthy = nx(['run', 'infra:doctor', ...local()], false);
    expect(healthy.output.match(/^✔ /gm)).toHaveLength(9);
    expect(healthy.status).toBe(0);

    execFileSync('docker', ['stop', ws.container]);
    const broken = nx(['run', 'infra:doctor', ...local()], false);
    expect(broken.output).toContain(
      `✖ registry reachable: ${ws.address.split(':')[0]}:${ws.port}: connection refused`,
    );
    expect(broken.output).toContain('→ Run npx nx run infra:registry-up.');
    expect(broken.status).not.toBe(0);

    const again = nx(['run', 'infra:registry-up', ...local()], false);
    expect(again.output).toContain(`↻ registry container: ${ws.container} was exited: started`);
    expect(again.status).toBe(0);
    expect(nx(['run', 'infra:doctor', ...local()], false).status).toBe(0);
  });

  it('serves a renewed certificate: registry-up restarts the registry to load it, and doctor tells them apart', () => {
    const old = served();
    expect(old.equals(onDisk())).toBe(true);
    const renewed = nx(['g', 'registry', '--renew', '--days', '100']);
    expect(renewed.status).toBe(0);
    expect(onDisk().equals(old)).toBe(false);
    expect(served().equals(old)).toBe(true);

    const stale = nx(['run', 'infra:doctor', ...local()], false);
    expect(stale.output).toMatch(
      /^✖ certificate served: .*: it serves serial [0-9a-f]+, valid until .*, not infra\/registry\/certs\/docker-registry\.home\.lan\.crt/m,
    );
    expect(stale.output).toContain(`→ Run npx nx run infra:registry-up: it restarts ${ws.container}`);
    expect(stale.status).not.toBe(0);

    const up = nx(['run', 'infra:registry-up', ...local()], false);
    expect(up.output).toContain(
      `↻ registry: ${ws.container} restarted: to load infra/registry/certs/docker-registry.home.lan.crt: it serves serial`,
    );
    expect(up.status).toBe(0);
    expect(served().equals(onDisk())).toBe(true);

    const again = nx(['run', 'infra:registry-up', ...local()], false);
    expect(again.output).toContain('✔ registry: ');
    expect(again.output).toContain('it serves infra/registry/certs/docker-registry.home.lan.crt');
    expect(nx(['run', 'infra:doctor', ...local()], false).status).toBe(0);
  });
});
