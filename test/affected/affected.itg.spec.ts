import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFunctions } from '../publish/functions';
import { createScratchWorkspace, type ScratchWorkspace } from '../publish/scratch-workspace';

// Which functions `nx affected -t publish` picks for each kind of commit, in a git repository of its own:
// hello-world and fn-a import @homefaas/greeting (which imports @homefaas/words), fn-b imports nothing,
// fn-c imports the npm package bcryptjs.
const FUNCTIONS = ['fn-a', 'fn-b', 'fn-c', 'hello-world'];
const REGISTRY = 'docker-registry.home.lan:5000';

let ws: ScratchWorkspace;

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@home.lan',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@home.lan',
};
async function git(...args: string[]): Promise<void> {
  const result = await runCommand('git', args, { cwd: ws.root, env: gitEnv });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')}:\n${result.output}`);
}
async function edit(path: string, change: (text: string) => string): Promise<void> {
  const file = join(ws.root, path);
  await writeFile(file, change(await readFile(file, 'utf8')));
}

/**
 * What a developer does (edit, `nx sync`, commit), then the functions `nx affected -t publish` selects for
 * that commit. Nx runs no sync before `show`: the commit alone must carry the change.
 */
async function affectedBy(message: string, change: () => Promise<void>): Promise<string[]> {
  await change();
  const sync = await ws.nx(['sync']);
  expect(sync.exitCode, sync.output).toBe(0);
  await git('add', '-A');
  await git('commit', '-q', '--allow-empty', '-m', message);
  const shown = await ws.nx([
    'show',
    'projects',
    '--affected',
    '--base=HEAD~1',
    '--head=HEAD',
    '--withTarget=publish',
  ]);
  expect(shown.exitCode, shown.output).toBe(0);
  return shown.stdout
    .split('\n')
    .filter((name) => FUNCTIONS.includes(name))
    .sort();
}

beforeAll(async () => {
  ws = await createScratchWorkspace({ homefaasJson: {} });
  await addFunctions(ws.root, REGISTRY, [
    { name: 'fn-a', greeting: true },
    { name: 'fn-b' },
    { name: 'fn-c' },
  ]);
  // @homefaas/words, which greeting imports: a change there reaches greeting's functions transitively.
  await mkdir(join(ws.root, 'libs/words/src'), { recursive: true });
  await writeFile(
    join(ws.root, 'libs/words/package.json'),
    JSON.stringify({ name: '@homefaas/words', version: '0.1.0', private: true, main: 'src/index.ts' }),
  );
  await writeFile(join(ws.root, 'libs/words/src/index.ts'), "export const HELLO = 'Hello';\n");
  await edit('libs/greeting/package.json', (text) => {
    const pkg = JSON.parse(text);
    return JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, '@homefaas/words': '*' } }, null, 2);
  });
  // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source written into the lib
  const greeting = 'return `${HELLO},';
  await edit(
    'libs/greeting/src/greet.ts',
    (text) => `import { HELLO } from '@homefaas/words';\n${text.replace('return `Hello,', greeting)}`,
  );
  await writeFile(
    join(ws.root, 'functions/fn-c/src/handler.ts'),
    "import bcrypt from 'bcryptjs';\nimport type { Handler } from '@homefaas/node22-ts';\n\nconst handler: Handler = async () => ({ rounds: bcrypt.getRounds('$2a$04$abcdefghijklmnopqrstuv') });\nexport default handler;\n",
  );
  await edit('functions/fn-c/package.json', (text) => {
    const pkg = JSON.parse(text);
    return JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, bcryptjs: '^3.0.3' } }, null, 2);
  });
  const sync = await ws.nx(['sync']);
  expect(sync.exitCode, sync.output).toBe(0);
  await git('init', '-q', '-b', 'main');
  // The scratch workspace's links and Docker login are the test's, not the project's.
  await appendFile(join(ws.root, '.git/info/exclude'), 'node_modules\n.docker-config\n');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'workspace');
});

afterAll(async () => {
  await ws?.remove();
});

describe('nx affected -t publish selects exactly the functions a commit can change', () => {
  it('a function’s own source: that function', async () => {
    expect(
      await affectedBy('fn-b source', () => edit('functions/fn-b/src/handler.ts', (t) => `${t}// more\n`)),
    ).toEqual(['fn-b']);
  });

  it('a workspace lib: the functions importing it', async () => {
    expect(
      await affectedBy('greeting', () => edit('libs/greeting/src/greet.ts', (t) => `${t}// more\n`)),
    ).toEqual(['fn-a', 'hello-world']);
  });

  it('a lib imported through another lib: the same functions, transitively', async () => {
    expect(
      await affectedBy('words', () => edit('libs/words/src/index.ts', () => "export const HELLO = 'Hi';\n")),
    ).toEqual(['fn-a', 'hello-world']);
  });

  it('the template (runtime, Dockerfile, template.yml): every function on it', async () => {
    expect(
      await affectedBy('Dockerfile', () => edit('template/node22-ts/Dockerfile', (t) => `${t}# more\n`)),
    ).toEqual(FUNCTIONS);
    expect(
      await affectedBy('template.yml', () => edit('template/node22-ts/template.yml', (t) => `${t}# more\n`)),
    ).toEqual(FUNCTIONS);
  });

  it('a function’s own stack.yml entry: that function only, not the others', async () => {
    expect(
      await affectedBy('fn-b environment', () =>
        edit('stack.yml', (t) => t.replace('  fn-b:\n', '  fn-b:\n    environment:\n      MODE: fast\n')),
      ),
    ).toEqual(['fn-b']);
    expect(
      await affectedBy('fn-c limits', () =>
        edit('stack.yml', (t) => t.replace('  fn-c:\n', '  fn-c:\n    limits:\n      memory: 128Mi\n')),
      ),
    ).toEqual(['fn-c']);
  });

  it('stack.yml’s provider or global settings: every function', async () => {
    expect(
      await affectedBy('provider gateway', () =>
        edit('stack.yml', (t) =>
          t.replace(
            'provider:\n  name: openfaas\n',
            'provider:\n  name: openfaas\n  gateway: http://gw.home.lan:8080\n',
          ),
        ),
      ),
    ).toEqual(FUNCTIONS);
  });

  it('homefaas.json: a setting that reaches images or deploys affects every function; one that does not, none', async () => {
    expect(
      await affectedBy('gateway url', () =>
        writeFile(join(ws.root, 'homefaas.json'), '{"gateway":{"url":"http://gw:8080"}}\n'),
      ),
    ).toEqual(FUNCTIONS);
    expect(
      await affectedBy('registry ui', () =>
        writeFile(
          join(ws.root, 'homefaas.json'),
          '{"gateway":{"url":"http://gw:8080"},"registry":{"ui":true}}\n',
        ),
      ),
    ).toEqual([]);
  });

  it('plugin code that builds, tags or deploys: every function; other plugin code: none', async () => {
    expect(
      await affectedBy('content tag', () =>
        edit('tools/homefaas/src/function/content-tag.ts', (t) => `${t}// more\n`),
      ),
    ).toEqual(FUNCTIONS);
    expect(
      await affectedBy('registry generator', () =>
        edit('tools/homefaas/src/generators/registry/generator.ts', (t) => `${t}// more\n`),
      ),
    ).toEqual([]);
  });

  it('an npm dependency in the lock file: the functions importing it', async () => {
    expect(
      await affectedBy('bcryptjs 3.0.2', () =>
        edit('package-lock.json', (t) =>
          t.replace(/("node_modules\/bcryptjs": \{\s*"version": )"3\.0\.3"/, '$1"3.0.2"'),
        ),
      ),
    ).toEqual(['fn-c']);
  });

  it('the bundler’s settings (tsconfig): every function', async () => {
    expect(
      await affectedBy('tsconfig', () =>
        edit('tsconfig.base.json', (t) =>
          t.replace('"strict": true', '"strict": true, "useDefineForClassFields": true'),
        ),
      ),
    ).toEqual(FUNCTIONS);
  });

  it('a README: none', async () => {
    expect(await affectedBy('README', () => appendFile(join(ws.root, 'README.md'), '\nmore\n'))).toEqual([]);
  });
});
