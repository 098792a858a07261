import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, 'machine-check.sh');

describe('machine-check.sh', () => {
  it('says what is missing and how to add it, changes nothing, and fails', () => {
    const result = spawnSync('bash', [SCRIPT, 'nowhere.invalid'], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      '✖ no Docker engine answers at unix:///nonexistent/docker.sock\n  → Start yours (sudo systemctl start docker), or install one',
    );
    expect(result.stdout).toContain('bash tools/scripts/demo.sh --set-up');
    expect(result.stdout).toContain(
      '✖ nowhere.invalid does not resolve\n  → Add it to /etc/hosts: echo "127.0.0.1 nowhere.invalid" | sudo tee -a /etc/hosts',
    );
  });
});
