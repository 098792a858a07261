import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { PUBLISH_INPUTS_FILE, stalePublishInputs } from '../../publish/publish-inputs';
import syncPublishInputsGenerator from './generator';

const STACK = `version: 1.0
provider:
  name: openfaas
functions:
  alpha:
    lang: node22-ts
    handler: ./functions/alpha
    image: r.lan:5000/alpha:latest
    environment:
      # \${VAR}s stay as written: the file must read the same on every machine.
      TOKEN: \${TOKEN:-none}
  beta:
    lang: node22-ts
    handler: ./functions/beta
    image: r.lan:5000/beta:latest
    environment_file: [env/shared.yml]
  gamma:
    lang: python3
    handler: ./elsewhere/gamma
    image: r.lan:5000/gamma:latest
`;

// biome-ignore lint/suspicious/noTemplateCurlyInString: stack.yml's own ${VAR} syntax, not a template
const TOKEN = '${TOKEN:-none}';

let tree: Tree;
const inputs = (name: string) => readJson(tree, `functions/${name}/${PUBLISH_INPUTS_FILE}`);
/** Runs the sync generator; returns the functions whose file it changed, from its message. */
function sync(): string | undefined {
  return (syncPublishInputsGenerator(tree) as { outOfSyncMessage?: string } | undefined)?.outOfSyncMessage;
}

beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  tree.write('stack.yml', STACK);
  tree.write('functions/alpha/src/handler.ts', 'export default async () => 1;\n');
  tree.write('functions/beta/src/handler.ts', 'export default async () => 2;\n');
  tree.write('env/shared.yml', 'environment:\n  LEVEL: info\n');
  tree.write('tools/homefaas/src/function/content-tag.ts', '// tags\n');
  tree.write('tools/homefaas/src/generators/registry/generator.ts', '// the registry generator\n');
});

describe('sync-publish-inputs', () => {
  it("writes each function's entry as written, the stack's globals, the workspace settings and fingerprints", () => {
    expect(sync()).toBe(
      'The publish inputs of alpha, beta do not match stack.yml, homefaas.json or the homefaas plugin: run `npx nx sync` and commit the result.',
    );
    expect(inputs('alpha')).toEqual({
      $comment: expect.stringContaining('Written by `npx nx sync`'),
      function: {
        lang: 'node22-ts',
        handler: './functions/alpha',
        image: 'r.lan:5000/alpha:latest',
        environment: { TOKEN },
      },
      stack: { version: 1, provider: { name: 'openfaas' } },
      workspace: {
        registry: { host: 'docker-registry.home.lan', port: 5000 },
        builder: { driver: 'docker', name: 'homefaas' },
      },
      bundle: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      plugin: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(inputs('beta').environmentFiles).toEqual({ 'env/shared.yml': expect.stringMatching(/^sha256:/) });
    // No folder: nothing written for gamma.
    expect(tree.exists('elsewhere/gamma')).toBe(false);
    expect(sync()).toBeUndefined();
  });

  it("a change in one function's entry rewrites that function's file only", () => {
    sync();
    const beta = tree.read(`functions/beta/${PUBLISH_INPUTS_FILE}`, 'utf8');
    tree.write('stack.yml', STACK.replace(TOKEN, TOKEN.replace('none', 'other')));
    expect(sync()).toContain('The publish inputs of alpha do not match');
    expect(tree.read(`functions/beta/${PUBLISH_INPUTS_FILE}`, 'utf8')).toBe(beta);
  });

  it("the stack's provider, an environment file, the bundler's settings and the publishing code reach their functions", () => {
    sync();
    tree.write(
      'stack.yml',
      STACK.replace('  name: openfaas\n', '  name: openfaas\n  gateway: http://gw:8080\n'),
    );
    expect(sync()).toContain('of alpha, beta do not match');
    tree.write('env/shared.yml', 'environment:\n  LEVEL: debug\n');
    expect(sync()).toContain('of beta do not match');
    tree.write('tsconfig.base.json', '{"compilerOptions":{"strict":true}}\n');
    expect(sync()).toContain('of alpha, beta do not match');
    tree.write('tools/homefaas/src/function/content-tag.ts', '// tags, changed\n');
    expect(sync()).toContain('of alpha, beta do not match');
  });

  it('other plugin code and homefaas.json settings that never reach an image or a deploy change nothing', () => {
    sync();
    tree.write('tools/homefaas/src/generators/registry/generator.ts', '// changed\n');
    tree.write('homefaas.json', '{"registry":{"ui":true,"container":"reg"},"docker":{"certsDir":"/x"}}\n');
    expect(sync()).toBeUndefined();
    tree.write('homefaas.json', '{"registry":{"port":5443}}\n');
    expect(sync()).toContain('of alpha, beta do not match');
  });

  it('leaves a file a formatter re-wrapped alone: the same JSON is in sync', () => {
    sync();
    const path = `functions/alpha/${PUBLISH_INPUTS_FILE}`;
    const compact = JSON.stringify(JSON.parse(tree.read(path, 'utf8') ?? ''));
    tree.write(path, compact);
    expect(sync()).toBeUndefined();
    expect(tree.read(path, 'utf8')).toBe(compact);
  });

  it('publish finds the functions whose file on disk is out of date, among those it publishes', async () => {
    sync();
    const root = await mkdtemp(join(tmpdir(), 'homefaas-publish-inputs-'));
    try {
      const writeOut = async () => {
        for (const change of tree.listChanges()) {
          if (change.type === 'DELETE' || change.content === null) continue;
          await mkdir(dirname(join(root, change.path)), { recursive: true });
          await writeFile(join(root, change.path), change.content);
        }
      };
      await writeOut();
      expect(stalePublishInputs(root, ['alpha', 'beta'])).toEqual([]);
      tree.write('stack.yml', STACK.replace(TOKEN, TOKEN.replace('none', 'other')));
      await writeOut();
      const stale = stalePublishInputs(root, ['alpha', 'beta']);
      expect(stale.map((input) => input.path)).toEqual([`functions/alpha/${PUBLISH_INPUTS_FILE}`]);
      // Only the functions asked about: a run that publishes beta alone says nothing of alpha.
      expect(stalePublishInputs(root, ['beta'])).toEqual([]);
      // Nothing is written: the file on disk is still the old one.
      expect(await readFile(join(root, `functions/alpha/${PUBLISH_INPUTS_FILE}`), 'utf8')).toBe(
        tree.read(`functions/alpha/${PUBLISH_INPUTS_FILE}`, 'utf8'),
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
