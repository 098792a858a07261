import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's first command on a machine whose Docker engine already runs (this one's): its set-up part,
// the function demo.sh's main runs first, against the real engine. The engine's daemon.json is stood in for
// by a file with settings of its own; the dockerd command by one that only records being called.
const DEMO = join(__dirname, 'demo.sh');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-demo-itg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dockerdPid = () => execFileSync('pidof', ['dockerd'], { encoding: 'utf8' }).trim();

describe('demo.sh --set-up on a machine whose engine runs', () => {
  it('keeps the engine, its process and its daemon.json as they are', () => {
    const daemonJson = join(dir, 'daemon.json');
    const settings = '{\n  "registry-mirrors": ["https://mirror.home.lan"],\n  "log-level": "warn"\n}\n';
    writeFileSync(daemonJson, settings);
    const called = join(dir, 'dockerd-was-called');
    const fakeDockerd = join(dir, 'dockerd-stand-in');
    writeFileSync(fakeDockerd, `#!/bin/sh\ntouch ${called}\nexit 1\n`);
    chmodSync(fakeDockerd, 0o755);
    const before = dockerdPid();

    const result = spawnSync('bash', ['-c', `source ${DEMO}\nset_up_machine 1`], {
      encoding: 'utf8',
      env: {
        ...process.env,
        HOMEFAAS_DAEMON_JSON: daemonJson,
        HOMEFAAS_DOCKERD: fakeDockerd,
        HOMEFAAS_TEST_ENV_STATE: join(dir, 'state'),
      },
    });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^✔ docker engine running \(.+\), used as it is: not started by this script, so its settings and process are left alone$/m,
    );
    expect(result.stdout).toMatch(/^✔ Docker engine .*\n✔ buildx /m);
    expect(result.stdout).toContain('✔ node:22-alpine is here');
    expect(readFileSync(daemonJson, 'utf8')).toBe(settings);
    expect(readdirSync(dir).sort()).toEqual(['daemon.json', 'dockerd-stand-in']);
    expect(existsSync(called)).toBe(false);
    expect(dockerdPid()).toBe(before);
  });
});
