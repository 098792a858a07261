import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The demo's stand-in gateway, started by the demo's own function (demo.sh sourced: only the named
// functions run), must not outlive the demo.
const DEMO = join(__dirname, 'demo.sh');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'homefaas-demo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `commands` after sourcing demo.sh; returns the pid and URL of the gateway it started. */
function startGatewayAnd(commands: string): { pid: number; url: string; health: string } {
  // Output to a file, not a pipe: a gateway that outlived the shell would hold a pipe open forever.
  const out = join(dir, 'out');
  const fd = openSync(out, 'w');
  spawnSync(
    'bash',
    [
      '-c',
      `source ${DEMO}
       start_stand_in_gateway >/dev/null
       echo "$gateway_pid $OPENFAAS_URL $(curl -s -o /dev/null -w '%{http_code}' "$OPENFAAS_URL/healthz")"
       ${commands}`,
    ],
    { stdio: ['ignore', fd, 'inherit'], env: { ...process.env, HOMEFAAS_DEMO_DIR: dir, OPENFAAS_URL: '' } },
  );
  closeSync(fd);
  const [pid = '', url = '', health = ''] = readFileSync(out, 'utf8').trim().split(' ');
  return { pid: Number(pid), url, health };
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits, bounded, until `pid` has exited; true when it did. */
async function exits(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && running(pid); attempt += 1) {
    await new Promise((tick) => setTimeout(tick, 100));
  }
  return !running(pid);
}

async function answers(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then(
    () => true,
    () => false,
  );
}

describe('demo.sh stand-in gateway', () => {
  it('runs while the demo runs and is gone once it ends', async () => {
    const gateway = startGatewayAnd('');
    expect(gateway.health).toBe('200');
    expect(await exits(gateway.pid)).toBe(true);
    expect(await answers(gateway.url)).toBe(false);
  });

  it('ends on its own when the demo is killed without the chance to stop it', async () => {
    const gateway = startGatewayAnd('kill -KILL $$');
    expect(gateway.health).toBe('200');
    expect(await exits(gateway.pid)).toBe(true);
    expect(await answers(gateway.url)).toBe(false);
  });
});
