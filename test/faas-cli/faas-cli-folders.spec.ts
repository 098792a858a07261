import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runCommand } from '@homefaas/docker-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaasStack, writeBuildContext } from './faas-cli';

// faas-cli writes build/<fn>/ (a copy of the function folder, package.json included) and `faas-cli template
// pull` writes template/<name>/ next to ours. Neither may reach the Nx project graph or git.
const REPO_ROOT = resolve(__dirname, '../..');
const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NO_COLOR: '1' };

let copy: string;

/** Copies what git would commit (and nothing it ignores) into a temporary folder sharing node_modules. */
function copyWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'faas-cli-folders-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  for (const file of files.split('\n').filter((line) => line !== '')) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    try {
      cpSync(join(REPO_ROOT, file), join(root, file));
    } catch (error) {
      // A file another change removed after git listed it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  return root;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

beforeAll(() => {
  copy = copyWorkspace();
  const stack = parseFaasStack(readFileSync(join(copy, 'stack.yml'), 'utf8'));
  writeBuildContext(copy, { ...stack, configuration: { copy: ['./libs/greeting'] } }, 'hello-world');
  // What `faas-cli template store pull node20` adds: a template whose folder and function/ hold package.json.
  write(join(copy, 'template/node20/template.yml'), 'language: node20\nfprocess: node index.js\n');
  write(join(copy, 'template/node20/package.json'), '{"name": "openfaas-node20", "version": "1.0.0"}\n');
  write(join(copy, 'template/node20/function/package.json'), '{"name": "openfaas-function"}\n');
  write(join(copy, 'template/node20/function/handler.js'), 'module.exports = async () => ({});\n');
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("faas-cli's folders in the workspace", () => {
  it('leave the Nx project graph as it was: build/ and pulled templates are ignored, template/node22-ts stays', async () => {
    expect(readFileSync(join(copy, 'build/hello-world/function/package.json'), 'utf8')).toContain(
      '"hello-world"',
    );
    const result = await runCommand('npx', ['nx', 'show', 'projects', '--json'], {
      cwd: copy,
      env: { ...process.env, ...NX_ENV },
    });
    expect(result.exitCode, result.output).toBe(0);
    const projects = JSON.parse(result.stdout) as string[];
    expect(projects.filter((name) => name === 'hello-world')).toHaveLength(1);
    expect(projects).toContain('@homefaas/node22-ts');
    expect(projects).toContain('@homefaas/greeting');
    expect(projects).not.toContain('openfaas-node20');
    expect(projects).not.toContain('openfaas-function');
    const hello = await runCommand('npx', ['nx', 'show', 'project', 'hello-world', '--json'], {
      cwd: copy,
      env: { ...process.env, ...NX_ENV },
    });
    expect(JSON.parse(hello.stdout).root).toBe('functions/hello-world');
  }, 180_000);

  it('are ignored by git, while the workspace template is not', async () => {
    const paths = [
      'build/hello-world/function/package.json',
      'build/hello-world/Dockerfile',
      'template/node20/template.yml',
      'template/node20/function/handler.js',
      'template/node22-ts/Dockerfile',
      'template/node22-ts/function/src/handler.ts',
      'functions/hello-world/build/notes.txt',
    ];
    const result = await runCommand('git', ['check-ignore', '--no-index', ...paths], { cwd: REPO_ROOT });
    expect(result.stdout.split('\n').filter((line) => line !== '')).toEqual(paths.slice(0, 4));
  });
});
