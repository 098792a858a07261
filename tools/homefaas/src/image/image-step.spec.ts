import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@homefaas/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublishContext } from '../publish/context';
import type { FunctionState } from '../publish/outcome';
import { bakeImages } from './image-step';

// buildx itself is replaced: these runs are scripted from recorded buildx output.
const runCommand = vi.hoisted(() => vi.fn());
vi.mock(import('@homefaas/docker-engine'), async (original) => ({ ...(await original()), runCommand }));

const REGISTRY_500 = readFileSync(join(__dirname, 'fixtures/bake-registry-500.txt'), 'utf8');
const FAILED = { exitCode: 1, command: 'docker buildx bake', output: REGISTRY_500, stdout: '', stderr: '' };
const DONE = { exitCode: 0, command: 'docker buildx bake', output: '', stdout: '', stderr: '' };

let logger: ReturnType<typeof createMemoryLogger>;
let states: FunctionState[];
/** Images the registry holds, by function name. */
let inRegistry: Set<string>;
let temp: string;

function state(name: string): FunctionState {
  return {
    input: { name, inWorkspaceRegistry: true } as FunctionState['input'],
    build: {
      name,
      image: `r.lan:5000/${name}:c-1`,
      extraTags: [],
      platforms: ['linux/amd64'],
      context: '/ctx',
      buildArgs: {},
      buildSecrets: {},
    },
    ref: `r.lan:5000/${name}:c-1`,
    image: 'not reached',
    deploy: 'not reached',
    ready: 'not reached',
    lines: [],
  } as FunctionState;
}

function context(): PublishContext {
  return {
    logger,
    run: { builder: { driver: 'docker', name: 'homefaas' }, env: {} },
    engine: () => ({ ping: async () => undefined }),
    report: (result: { detail: string }) => logger.info(`✔ ${result.detail}`),
    warn: (message: string) => logger.warn(message),
    fail: (failed: FunctionState, _step: string, error: unknown) => {
      failed.error = error;
    },
  } as unknown as PublishContext;
}

async function bake(): Promise<void> {
  await bakeImages(context(), states, {
    tags: (s) => [s.ref ?? ''],
    pushed: async (s) => (inRegistry.has(s.input.name) ? { digest: `sha256:${s.input.name}` } : undefined),
  } as Parameters<typeof bakeImages>[2]);
}

beforeEach(() => {
  // bake's scratch folders (and its removal of abandoned ones) stay out of the machine's temp folder.
  temp = mkdtempSync(join(tmpdir(), 'image-step-spec-'));
  vi.stubEnv('TMPDIR', temp);
  runCommand.mockReset();
  logger = createMemoryLogger();
  states = [state('hello-world'), state('fn-a'), state('fn-b')];
  inRegistry = new Set();
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(temp, { recursive: true, force: true });
});

describe('bakeImages when the registry answers 5xx during the push', () => {
  it('bakes what the registry has not got once more, and those images are built', async () => {
    runCommand.mockImplementationOnce(async () => {
      inRegistry.add('fn-b');
      return FAILED;
    });
    runCommand.mockImplementationOnce(async () => {
      inRegistry.add('hello-world').add('fn-a');
      return DONE;
    });
    await bake();
    expect(runCommand).toHaveBeenCalledTimes(2);
    expect(logger.lines).toContain(
      'The registry answered 500 Internal Server Error during the push, a fault on its side: building once more what it has not got: hello-world, fn-a',
    );
    expect(states.map((s) => [s.input.name, s.image, s.error])).toEqual([
      ['hello-world', 'built', undefined],
      ['fn-a', 'built', undefined],
      ['fn-b', 'built', undefined],
    ]);
  });

  it('tries once more only: a second 5xx fails the functions whose images are missing', async () => {
    runCommand.mockResolvedValue(FAILED);
    await bake();
    expect(runCommand).toHaveBeenCalledTimes(2);
    expect(states.map((s) => s.image)).toEqual(['failed', 'failed', 'failed']);
    expect(String(states[0]?.error)).toContain('500 Internal Server Error');
  });
});
