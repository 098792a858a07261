import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createMemoryLogger, isHomefaasError } from '@homefaas/core';
import { setUser } from '@homefaas/htpasswd';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateNodeTrust, type NodeTrustEnvironment } from './generator';
import type { NodeTrustGeneratorSchema } from './schema';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const PASSWORD = 'registry-pass-5512';

let tree: Tree;
let root: string;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  tree.write('infra/ca/homeCA.pem', CA_PEM);
  tree.write(
    'homefaas.json',
    JSON.stringify({ registry: { host: 'reg.lab', port: 5443, user: 'pusher', ips: ['192.168.1.20'] } }),
  );
  root = mkdtempSync(join(tmpdir(), 'homefaas-node-trust-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function environment(
  env: NodeJS.ProcessEnv = { REGISTRY_PASSWORD: PASSWORD },
): NodeTrustEnvironment & { logger: ReturnType<typeof createMemoryLogger> } {
  const input = Object.assign(new PassThrough(), { isTTY: false });
  return { env, logger: createMemoryLogger(), input, root };
}

async function generate(schema: NodeTrustGeneratorSchema, env = environment()) {
  const callback = await generateNodeTrust(tree, schema, env);
  return { callback, logger: env.logger };
}

async function failure(schema: NodeTrustGeneratorSchema, env = environment()) {
  try {
    await generateNodeTrust(tree, schema, env);
  } catch (error) {
    if (isHomefaasError(error)) return error;
    throw error;
  }
  throw new Error('expected the generator to fail');
}

const mode = (path: string) => statSync(join(root, path)).mode & 0o777;
const readDisk = (path: string) => readFileSync(join(root, path), 'utf8');

describe('node-trust generator', () => {
  it('faasd: config.json (0600, outside the Tree), the CA and a README with the exact commands', async () => {
    const { callback, logger } = await generate({ runtime: 'faasd', node: 'pi@faasd.lab' });
    expect(tree.read('infra/openfaas/faasd/homeCA.pem', 'utf8')).toBe(CA_PEM);
    // The credentials never go through the Tree: a dry run writes nothing secret.
    expect(tree.exists('infra/openfaas/faasd/config.json')).toBe(false);
    expect(logger.lines).toContain('  will write infra/openfaas/faasd/config.json (mode 0600)');
    await callback?.();
    expect(mode('infra/openfaas/faasd/config.json')).toBe(0o600);
    const config = JSON.parse(readDisk('infra/openfaas/faasd/config.json'));
    expect(Buffer.from(config.auths['reg.lab:5443'].auth, 'base64').toString()).toBe(`pusher:${PASSWORD}`);
    const readme = tree.read('infra/openfaas/faasd/README.md', 'utf8') ?? '';
    expect(readme).toContain(
      'scp infra/openfaas/faasd/config.json infra/openfaas/faasd/homeCA.pem pi@faasd.lab:/tmp/',
    );
    expect(readme).toContain(
      'sudo install -D -m 0600 -o root -g root /tmp/config.json /var/lib/faasd/.docker/config.json',
    );
    expect(readme).toContain('sudo update-ca-certificates');
    expect(readme).toContain('sudo systemctl restart faasd-provider');
    expect(readme).toContain("echo '192.168.1.20 reg.lab' | sudo tee -a /etc/hosts");
    expect(readme).not.toContain(PASSWORD);
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('k3s: registries.yaml (0600) pointing at the CA path the README installs', async () => {
    const { callback } = await generate({ runtime: 'k3s' });
    await callback?.();
    expect(mode('infra/openfaas/k3s/registries.yaml')).toBe(0o600);
    expect(parse(readDisk('infra/openfaas/k3s/registries.yaml'))).toEqual({
      configs: {
        'reg.lab:5443': {
          auth: { username: 'pusher', password: PASSWORD },
          tls: { ca_file: '/etc/ssl/certs/homeCA.pem' },
        },
      },
    });
    expect(tree.read('infra/openfaas/k3s/homeCA.pem', 'utf8')).toBe(CA_PEM);
    const readme = tree.read('infra/openfaas/k3s/README.md', 'utf8') ?? '';
    expect(readme).toContain('sudo install -D -m 0644 /tmp/homeCA.pem /etc/ssl/certs/homeCA.pem');
    expect(readme).toContain(
      'sudo install -D -m 0600 -o root -g root /tmp/registries.yaml /etc/rancher/k3s/registries.yaml',
    );
    expect(readme).toContain('sudo systemctl restart k3s');
    expect(readme).toContain(
      'scp infra/openfaas/k3s/registries.yaml infra/openfaas/k3s/homeCA.pem <user>@<openfaas-host>:/tmp/',
    );
  });

  it('containerd: certs.d/<host:port>/hosts.toml and the CA, no credentials needed', async () => {
    const { callback } = await generate({ runtime: 'containerd' }, environment({}));
    expect(callback).toBeUndefined();
    expect(tree.read('infra/openfaas/containerd/certs.d/reg.lab:5443/homeCA.pem', 'utf8')).toBe(CA_PEM);
    expect(tree.read('infra/openfaas/containerd/certs.d/reg.lab:5443/hosts.toml', 'utf8')).toContain(
      'ca = "/etc/containerd/certs.d/reg.lab:5443/homeCA.pem"',
    );
    const readme = tree.read('infra/openfaas/containerd/README.md', 'utf8') ?? '';
    expect(readme).toContain('config_path = "/etc/containerd/certs.d"');
    expect(readme).toContain('sudo systemctl restart containerd');
    expect(readme).toContain('--user pusher reg.lab:5443/<function>:latest');
  });

  it('kubernetes: a pull secret (0600) and the service account patch', async () => {
    const { callback } = await generate({
      runtime: 'kubernetes',
      namespace: 'fns',
      secretName: 'reg-pull',
      serviceAccount: 'fn-runner',
    });
    await callback?.();
    expect(mode('infra/openfaas/kubernetes/registry-secret.yaml')).toBe(0o600);
    const secret = parse(readDisk('infra/openfaas/kubernetes/registry-secret.yaml'));
    expect(secret.metadata).toEqual({ name: 'reg-pull', namespace: 'fns' });
    const dockerConfig = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString());
    expect(dockerConfig.auths['reg.lab:5443'].password).toBe(PASSWORD);
    expect(parse(tree.read('infra/openfaas/kubernetes/serviceaccount-patch.yaml', 'utf8') ?? '')).toEqual({
      imagePullSecrets: [{ name: 'reg-pull' }],
    });
    const readme = tree.read('infra/openfaas/kubernetes/README.md', 'utf8') ?? '';
    expect(readme).toContain('kubectl apply -f infra/openfaas/kubernetes/registry-secret.yaml');
    expect(readme).toContain(
      'kubectl patch serviceaccount fn-runner -n fns --patch-file infra/openfaas/kubernetes/serviceaccount-patch.yaml',
    );
  });

  it('reads the password from REGISTRY_PASSWORD_FILE', async () => {
    const file = join(root, 'password.txt');
    writeFileSync(file, `${PASSWORD}\n`);
    const { callback } = await generate({ runtime: 'faasd' }, environment({ REGISTRY_PASSWORD_FILE: file }));
    await callback?.();
    const config = JSON.parse(readDisk('infra/openfaas/faasd/config.json'));
    expect(Buffer.from(config.auths['reg.lab:5443'].auth, 'base64').toString()).toBe(`pusher:${PASSWORD}`);
  });

  it('refuses clearly when the CA is missing', async () => {
    tree.delete('infra/ca/homeCA.pem');
    const error = await failure({ runtime: 'faasd' });
    expect(error.code).toBe('ERR_CA_MISSING');
    expect(error.message).toBe('No CA in this workspace: infra/ca/homeCA.pem does not exist.');
    expect(error.hint).toContain('npx nx g ca');
  });

  it('asks for the password when none is given', async () => {
    const error = await failure({ runtime: 'k3s' }, environment({}));
    expect(error.code).toBe('ERR_SECRET_MISSING');
    expect(error.hint).toContain('REGISTRY_PASSWORD');
  });

  it("refuses a password that is not the registry user's in the workspace htpasswd", async () => {
    tree.write('infra/registry/auth/registry.password', setUser('', 'pusher', 'the-real-one', { cost: 4 }));
    const error = await failure({ runtime: 'faasd' });
    expect(error.code).toBe('ERR_REGISTRY_PASSWORD_MISMATCH');
    expect(error.message).not.toContain(PASSWORD);
    const ok = await generateNodeTrust(
      tree,
      { runtime: 'faasd' },
      environment({ REGISTRY_PASSWORD: 'the-real-one' }),
    );
    expect(ok).toBeTypeOf('function');
  });

  it.each([
    [{ runtime: 'docker' as never }, 'ERR_NODE_TRUST_RUNTIME'],
    [{ runtime: 'kubernetes' as const, namespace: 'Bad_NS' }, 'ERR_NODE_TRUST_NAME'],
    [{ runtime: 'faasd' as const, node: 'pi @host' }, 'ERR_NODE_TRUST_NODE'],
  ])('rejects %o with %s', async (schema, code) => {
    expect((await failure(schema)).code).toBe(code);
  });
});
