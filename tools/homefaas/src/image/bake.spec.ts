import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bakeDefinition, failedTargets, registryServerError } from './bake';

const request = {
  name: 'hello-world',
  image: 'r.lan:5000/hello-world:c-1',
  extraTags: [],
  platforms: ['linux/amd64', 'linux/arm/v7'],
  context: '/ws/dist/functions/hello-world',
  buildArgs: { EXTERNALS: 'npm' },
  buildSecrets: { cabundle: '/etc/ssl/certs/ca-certificates.crt' },
  network: 'host',
};

describe('bakeDefinition', () => {
  it('has one target per function with its own context, platforms, args, secrets and tags, pushed', () => {
    const plain = { ...request, name: 'plain', buildArgs: {}, buildSecrets: {}, platforms: ['linux/arm64'] };
    delete (plain as { network?: string }).network;
    expect(
      bakeDefinition([
        { name: 'hello-world', request, tags: ['r.lan:5000/hello-world:c-1'] },
        { name: 'plain', request: plain, tags: ['r.lan:5000/plain:c-2', 'ghcr.io/x/plain:latest'] },
      ]),
    ).toEqual({
      group: { default: { targets: ['hello-world', 'plain'] } },
      target: {
        'hello-world': {
          context: '/ws/dist/functions/hello-world',
          dockerfile: 'Dockerfile',
          platforms: ['linux/amd64', 'linux/arm/v7'],
          tags: ['r.lan:5000/hello-world:c-1'],
          args: { EXTERNALS: 'npm' },
          secret: ['id=cabundle,src=/etc/ssl/certs/ca-certificates.crt'],
          network: 'host',
          output: ['type=registry'],
        },
        plain: {
          context: '/ws/dist/functions/hello-world',
          dockerfile: 'Dockerfile',
          platforms: ['linux/arm64'],
          tags: ['r.lan:5000/plain:c-2', 'ghcr.io/x/plain:latest'],
          args: {},
          secret: [],
          output: ['type=registry'],
        },
      },
    });
  });
});

describe('failedTargets', () => {
  it('names the target whose own step failed in a real bake run, not the ones buildx cancelled', () => {
    // Recorded from `docker buildx bake` (buildx 0.13.1) of f1, f2 and a target "bad" whose COPY fails.
    const output = readFileSync(join(__dirname, 'fixtures/bake-one-target-fails.txt'), 'utf8');
    expect(failedTargets(output, new Set(['f1', 'f2', 'bad']))).toEqual(
      new Map([
        [
          'bad',
          'failed to calculate checksum of ref rljrq7en0hz66hyrnei4t7ai1::k6i2f2jffwq9o08v4q01ayfqe: "/nothere.js": not found',
        ],
      ]),
    );
  });

  it("does not fail a target whose push lost buildx's session when the run was stopped for another", () => {
    // Recorded from a bake of hello-world, fn-a and fn-b (whose COPY fails): fn-a's push was under way.
    const output = readFileSync(join(__dirname, 'fixtures/bake-push-session-closed.txt'), 'utf8');
    expect(output).toContain('#33 ERROR: failed to push docker-registry.home.lan:35767/fn-a');
    expect([...failedTargets(output, new Set(['hello-world', 'fn-a', 'fn-b'])).keys()]).toEqual(['fn-b']);
  });

  it('fails a target whose push found no registry, not one whose context was cancelled', () => {
    const output = [
      '#8 [a] exporting to image',
      '#9 [b] exporting to image',
      '#8 ERROR: failed to push r.lan:5000/a:1: dial tcp 127.0.0.1:5000: connect: connection refused',
      '#9 ERROR: failed to push r.lan:5000/b:1: context canceled',
    ].join('\n');
    expect([...failedTargets(output, new Set(['a', 'b'])).keys()]).toEqual(['a']);
  });

  it('fails every target that shares a failing step, and ignores names that are not targets', () => {
    const output = [
      '#5 [a linux/amd64 internal] load metadata for docker.io/library/node:22-alpine',
      '#5 [b linux/amd64 internal] load metadata for docker.io/library/node:22-alpine',
      '#6 [internal] load local bake definitions',
      '#5 ERROR: pull access denied',
      '#6 ERROR: not a target',
      '#7 [c linux/amd64 2/2] COPY index.js ./',
      '#7 CANCELED',
    ].join('\n');
    expect(failedTargets(output, new Set(['a', 'b', 'c']))).toEqual(
      new Map([
        ['a', 'pull access denied'],
        ['b', 'pull access denied'],
      ]),
    );
  });
});

describe('registryServerError', () => {
  const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

  it("finds the registry's 5xx that stopped a real bake's push", () => {
    // Recorded from a bake of three functions whose push met a 500 from registry:2.
    expect(registryServerError(fixture('bake-registry-500.txt'))).toBe('500 Internal Server Error');
  });

  it('finds none where a build step failed, or the registry refused the credentials (401)', () => {
    expect(registryServerError(fixture('bake-one-target-fails.txt'))).toBeUndefined();
    expect(registryServerError(fixture('buildx-push-401.txt'))).toBeUndefined();
  });
});
