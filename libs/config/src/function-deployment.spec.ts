import { describe, expect, it } from 'vitest';
import { toFunctionDeployment } from './function-deployment';
import { parseStack } from './parse-stack';
import { resolveFunction } from './resolve-function';

describe('toFunctionDeployment', () => {
  it('maps every deploy-time stack field onto the gateway body', () => {
    const stack = parseStack(`provider: {name: openfaas}
functions:
  hello:
    image: reg.lab:5000/hello:latest
    fprocess: node index.js
    environment: {A: "1"}
    secrets: [api-key]
    labels: {com.openfaas.scale.min: "2"}
    annotations: {topic: cron}
    limits: {memory: 128Mi, cpu: 100m}
    requests: {memory: 64Mi}
    constraints: ["node.platform.os == linux"]
    readonly_root_filesystem: true
    namespace: team-a
    build_args: {NOT: sent}
`);
    expect(toFunctionDeployment(resolveFunction(stack, 'hello'), 'reg.lab:5000/hello:abc123')).toEqual({
      service: 'hello',
      image: 'reg.lab:5000/hello:abc123',
      namespace: 'team-a',
      envProcess: 'node index.js',
      envVars: { A: '1' },
      constraints: ['node.platform.os == linux'],
      secrets: ['api-key'],
      labels: { 'com.openfaas.scale.min': '2' },
      annotations: { topic: 'cron' },
      limits: { memory: '128Mi', cpu: '100m' },
      requests: { memory: '64Mi' },
      readOnlyRootFilesystem: true,
    });
  });

  it('sends empty collections and no optional fields for a bare function', () => {
    const stack = parseStack('provider: {name: openfaas}\nfunctions:\n  bare: {image: bare:1}\n');
    expect(toFunctionDeployment(resolveFunction(stack, 'bare'), 'bare:2')).toEqual({
      service: 'bare',
      image: 'bare:2',
      envVars: {},
      constraints: [],
      secrets: [],
      labels: {},
      annotations: {},
      readOnlyRootFilesystem: false,
    });
  });
});
