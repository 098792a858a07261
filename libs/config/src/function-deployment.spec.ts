import { describe, expect, it } from 'vitest';
import { toFunctionDeployment } from './function-deployment';
import { parseStack } from './parse-stack';
import { type ResolveFunctionOptions, resolveFunction } from './resolve-function';

const NODE_TEMPLATE: ResolveFunctionOptions = {
  readTemplateFile: (lang) => {
    if (lang !== 'node22-ts') throw new Error(`ENOENT: template/${lang}/template.yml`);
    return 'language: node22-ts\nfprocess: node index.js\n';
  },
};

function body(entry: string, options: ResolveFunctionOptions = NODE_TEMPLATE) {
  const stack = parseStack(`provider: {name: openfaas}\nfunctions:\n  fn:\n${entry}`);
  return toFunctionDeployment(resolveFunction(stack, 'fn', options), 'reg.lab:5000/fn:c-1');
}

// The bodies faas-cli 0.18's deploy (proxy/deploy.go, faas-provider types.FunctionDeployment with Go's
// omitempty) sends for the same stack.yml entries.
describe('toFunctionDeployment, as faas-cli deploys the same entry', () => {
  it('maps every deploy-time stack field onto the gateway body', () => {
    expect(
      body(`    lang: node22-ts
    image: reg.lab:5000/fn:latest
    fprocess: node other.js
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
    platforms: linux/arm64
`),
    ).toEqual({
      service: 'fn',
      image: 'reg.lab:5000/fn:c-1',
      namespace: 'team-a',
      envProcess: 'node other.js',
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

  it("takes envProcess from the template's fprocess, and leaves out every empty field but labels and annotations", () => {
    expect(body('    lang: node22-ts\n    image: reg.lab:5000/fn:latest\n')).toEqual({
      service: 'fn',
      image: 'reg.lab:5000/fn:c-1',
      envProcess: 'node index.js',
      labels: {},
      annotations: {},
    });
  });

  it('leaves out empty lists and maps, a false readonly_root_filesystem and empty resources', () => {
    expect(
      body(`    lang: node22-ts
    image: reg.lab:5000/fn:latest
    environment: {}
    secrets: []
    constraints: []
    labels: {}
    annotations: {}
    limits: {memory: ""}
    requests: {}
    readonly_root_filesystem: false
`),
    ).toEqual({
      service: 'fn',
      image: 'reg.lab:5000/fn:c-1',
      envProcess: 'node index.js',
      labels: {},
      annotations: {},
    });
  });

  it('sends only the resource that is set', () => {
    const sent = body(
      '    lang: node22-ts\n    image: x\n    limits: {cpu: 500m, memory: ""}\n    requests: {memory: 32Mi}\n',
    );
    expect(sent.limits).toEqual({ cpu: '500m' });
    expect(sent.requests).toEqual({ memory: '32Mi' });
  });

  it('sends no envProcess for a function without lang or with lang dockerfile, as faas-cli reads no template then', () => {
    expect(body('    image: x\n')).not.toHaveProperty('envProcess');
    expect(body('    lang: dockerfile\n    handler: ./fn\n    image: x\n')).not.toHaveProperty('envProcess');
  });
});
