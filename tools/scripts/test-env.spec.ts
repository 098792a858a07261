import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The steps of test-env.sh that decide what to do with a machine's Docker, run from the script itself
// (sourced, so only the named functions run) against files in a temporary folder.
const SCRIPT = join(__dirname, 'test-env.sh');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-test-env-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(commands: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('bash', ['-c', `source ${SCRIPT}\n${commands}`], {
    encoding: 'utf8',
    env: {
      ...process.env,
      HOMEFAAS_DAEMON_JSON: join(dir, 'daemon.json'),
      HOMEFAAS_TEST_ENV_STATE: join(dir, 'state'),
      HOMEFAAS_DOCKER_SOCKET: join(dir, 'no-docker.sock'),
      HOMEFAAS_DOCKERD: join(dir, 'dockerd-that-never-runs'),
      ...env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const USER_SETTINGS = `{
  "registry-mirrors": ["https://mirror.home.lan"],
  "log-driver": "journald",
  "features": { "buildkit": true, "containerd-snapshotter": false }
}
`;

describe('test-env.sh daemon.json', () => {
  it('merges its settings into an existing daemon.json, keeping the others, after a backup; says so', () => {
    const file = join(dir, 'daemon.json');
    writeFileSync(file, USER_SETTINGS);
    const first = run('ensure_daemon_config');
    expect(first.status).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      'registry-mirrors': ['https://mirror.home.lan'],
      'log-driver': 'journald',
      features: { buildkit: true, 'containerd-snapshotter': true },
      bridge: 'none',
      iptables: false,
      ip6tables: false,
      'ip-masq': false,
    });
    const backups = readdirSync(dir).filter((name) => name.startsWith('daemon.json.homefaas-backup-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0] as string), 'utf8')).toBe(USER_SETTINGS);
    expect(first.stdout).toBe(
      `✔ set features.containerd-snapshotter (was false), bridge, iptables, ip6tables, ip-masq in ${file}; kept registry-mirrors, log-driver; the old file is ${join(dir, backups[0] as string)}\n`,
    );

    const merged = readFileSync(file, 'utf8');
    const second = run('ensure_daemon_config; echo "changed=$DAEMON_CONFIG_CHANGED"');
    expect(second.stdout).toBe('changed=0\n');
    expect(readFileSync(file, 'utf8')).toBe(merged);
    expect(readdirSync(dir).filter((name) => name.includes('backup'))).toEqual(backups);
  });

  it('creates daemon.json where there is none, with nothing to back up', () => {
    const result = run('ensure_daemon_config');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^✔ wrote .*daemon\.json with the test settings/);
    expect(JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8'))).toMatchObject({ bridge: 'none' });
    expect(readdirSync(dir)).toEqual(['daemon.json']);
  });

  it('leaves a daemon.json that is not JSON as it is, and says what to fix', () => {
    const file = join(dir, 'daemon.json');
    writeFileSync(file, '{ "log-driver": "journald", }');
    const result = run('ensure_daemon_config');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${file} is not valid JSON`);
    expect(result.stderr).toContain(`✖ ${file} was not changed`);
    expect(readFileSync(file, 'utf8')).toBe('{ "log-driver": "journald", }');
    expect(readdirSync(dir)).toEqual(['daemon.json']);
  });
});

describe('test-env.sh engine ownership', () => {
  it('counts as its own only the very process it recorded, not a later one with the same pid', async () => {
    const daemon = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = String(daemon.pid);
      expect(run(`record_dockerd ${pid}; our_dockerd; engine_owner`).stdout).toBe(`${pid}\nours\n`);
      // The same pid with another start time: the recorded daemon is gone and its pid was reused.
      writeFileSync(join(dir, 'state/dockerd'), `${pid} 1\n`);
      expect(run('our_dockerd; engine_owner').stdout).toBe('none\n');
    } finally {
      daemon.kill();
    }
  });
});
