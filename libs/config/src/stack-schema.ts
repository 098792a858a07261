import type { Schema } from 'ajv';
import { PLATFORM_PATTERN } from './platforms';

const text = { type: 'string' };
const nonEmpty = { type: 'string', minLength: 1 };
const strings = { type: 'array', items: text };
const stringMap = { type: 'object', additionalProperties: text };
const resources = {
  type: 'object',
  additionalProperties: false,
  properties: { memory: text, cpu: text },
};
const dnsLabel = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * The faas-cli stack file (`stack/schema.go` in openfaas/faas-cli): every field faas-cli reads, so a file it
 * accepts passes, but unknown function fields are named instead of ignored, which catches typos such as
 * `enviroment`. Top-level keys starting with `x-` are allowed for YAML anchors. `platforms` is homefaas's own
 * setting; `registry_auth` and `provider.network` pass, with a warning (see faas-cli-fields.ts).
 * @see https://docs.openfaas.com/reference/yaml/
 */
export const STACK_SCHEMA: Schema = {
  type: 'object',
  required: ['provider'],
  additionalProperties: false,
  patternProperties: { '^x-': {} },
  properties: {
    version: { const: '1.0' },
    provider: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { const: 'openfaas' },
        gateway: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'an http:// or https:// URL' },
        network: { ...text, $comment: 'faas-cli 0.18 no longer reads it: parseStack warns' },
      },
    },
    functions: {
      type: 'object',
      propertyNames: {
        pattern: dnsLabel,
        maxLength: 63,
        description: "a lowercase DNS label: a-z, 0-9 and '-', not at either end, at most 63 characters",
      },
      additionalProperties: {
        type: 'object',
        required: ['image'],
        additionalProperties: false,
        properties: {
          lang: nonEmpty,
          handler: nonEmpty,
          image: {
            type: 'string',
            pattern: '^[^\\s]+$',
            description: 'an image reference without spaces, such as registry:5000/hello:latest',
          },
          fprocess: text,
          registry_auth: { ...text, $comment: 'faas-cli 0.18 no longer reads it: parseStack warns' },
          environment: stringMap,
          environment_file: { type: 'array', items: nonEmpty },
          secrets: {
            type: 'array',
            items: {
              type: 'string',
              pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
              description: "a secret name: a-z, 0-9, '-' and '.'",
            },
          },
          labels: stringMap,
          annotations: stringMap,
          limits: resources,
          requests: resources,
          constraints: strings,
          readonly_root_filesystem: { type: 'boolean' },
          build_args: stringMap,
          build_secrets: stringMap,
          build_options: strings,
          platforms: {
            $comment: "homefaas's own: faas-cli parses it and builds for its --platforms flag",
            type: 'string',
            pattern: `^\\s*${PLATFORM_PATTERN}\\s*(,\\s*${PLATFORM_PATTERN}\\s*)*$`,
            description: 'a comma list of platforms such as linux/amd64,linux/arm64,linux/arm/v7',
          },
          namespace: { type: 'string', pattern: dnsLabel, description: 'a Kubernetes namespace name' },
          skip_build: { type: 'boolean' },
        },
      },
    },
    configuration: {
      type: 'object',
      additionalProperties: false,
      properties: {
        templates: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: nonEmpty, source: text },
          },
        },
        copy: { type: 'array', items: nonEmpty },
      },
    },
  },
};

/** A file named by `environment_file`: `environment:` and nothing else that matters. */
export const ENVIRONMENT_FILE_SCHEMA: Schema = {
  type: 'object',
  properties: { environment: stringMap },
};
