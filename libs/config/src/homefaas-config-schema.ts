import type { Schema } from 'ajv';

const nonEmpty = { type: 'string', minLength: 1 };
const section = (properties: Record<string, object>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});

/** homefaas.json: every field optional, unknown fields named (they are typos). */
export const HOMEFAAS_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    registry: section({
      host: {
        type: 'string',
        pattern: '^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$',
        description: 'a DNS name such as docker-registry.home.lan',
      },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'a TCP port from 1 to 65535' },
      user: { type: 'string', pattern: '^[^:\\s]+$', description: 'a user name without ":" or spaces' },
      container: {
        type: 'string',
        pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$',
        description: 'a Docker container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)',
      },
      image: nonEmpty,
      ips: {
        type: 'array',
        items: {
          type: 'string',
          pattern: '^(\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$',
          description: 'an IPv4 or IPv6 address',
        },
      },
      ui: { type: 'boolean' },
    }),
    ca: section({ certPath: nonEmpty, keyPath: nonEmpty }),
    builder: section({
      driver: { enum: ['docker', 'docker-container'] },
      name: { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', description: 'a buildx builder name' },
    }),
    docker: section({ certsDir: nonEmpty }),
    gateway: section({
      url: { type: 'string', pattern: '^https?://', description: 'an http:// or https:// URL' },
    }),
  },
};
