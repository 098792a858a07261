import { isHomefaasError } from '@homefaas/core';
import { describe, expect, it } from 'vitest';
import {
  certsDirName,
  formatBuildkitdConfig,
  missingCaReason,
  readRegistryCaPaths,
  upsertRegistryCa,
} from './buildkitd-config';

const REG = 'docker-registry.home.lan:5000';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBsjCCAVigAwIBAgIUQ\nAbCd==\n-----END CERTIFICATE-----\n';

describe('certsDirName', () => {
  it.each([
    [REG, 'docker-registry.home.lan_5000'],
    ['myregistry.io', 'myregistry.io'],
    ['a:b/c', 'a_b_c'],
    ['[::1]:5000', '_1_5000'],
  ])('%s → %s (buildx reInvalidCertsDir)', (registry, expected) => {
    expect(certsDirName(registry)).toBe(expected);
  });
});

describe('formatBuildkitdConfig', () => {
  it('writes one registry table per entry, with comments first', () => {
    expect(
      formatBuildkitdConfig([{ registry: REG, caPaths: ['../ca/homeCA.pem'] }], ['made by homefaas']),
    ).toBe(`# made by homefaas\n\n[registry."${REG}"]\n  ca = ["../ca/homeCA.pem"]\n`);
  });
});

describe('upsertRegistryCa', () => {
  it('creates the table in an empty file', () => {
    const result = upsertRegistryCa('', REG, '/x/ca.pem');
    expect(result).toEqual({ text: `[registry."${REG}"]\n  ca = ["/x/ca.pem"]\n`, changed: true });
  });

  it('escapes a path with quotes, backslashes or a newline, so it cannot add lines to the file', () => {
    const path = '/odd "dir"\\x\n[registry."evil"]';
    const { text } = upsertRegistryCa('', REG, path);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toBe(`[registry."${REG}"]\n  ca = ["/odd \\"dir\\"\\\\x\\n[registry.\\"evil\\"]"]\n`);
    expect(readRegistryCaPaths(text, REG)).toEqual([path]);
    expect(upsertRegistryCa(text, REG, path).changed).toBe(false);
  });

  it('appends a table and keeps every other line of a hand-written file', () => {
    const text = 'debug = true\n# mirrors\n[registry."docker.io"]\n  mirrors = ["mirror.home.lan"]\n';
    const result = upsertRegistryCa(text, REG, '/x/ca.pem');
    expect(result.changed).toBe(true);
    expect(result.text).toBe(`${text}\n[registry."${REG}"]\n  ca = ["/x/ca.pem"]\n`);
    expect(readRegistryCaPaths(result.text, 'docker.io')).toEqual([]);
  });

  it('adds our CA to an existing list, keeping the other CA', () => {
    const text = `[registry."${REG}"]\n    ca = ["/etc/other.pem"]\n    insecure = false\n[worker.oci]\n  enabled = true\n`;
    const result = upsertRegistryCa(text, REG, '/x/ca.pem');
    expect(result.text).toBe(
      `[registry."${REG}"]\n    ca = ["/etc/other.pem", "/x/ca.pem"]\n    insecure = false\n[worker.oci]\n  enabled = true\n`,
    );
  });

  it('reads and rewrites a list that spans lines', () => {
    const text = `[registry.'${REG}']\n  ca = [\n    "/a.pem",\n    "/b.pem",\n  ]\n`;
    expect(readRegistryCaPaths(text, REG)).toEqual(['/a.pem', '/b.pem']);
    expect(upsertRegistryCa(text, REG, '/c.pem').text).toBe(
      `[registry.'${REG}']\n  ca = ["/a.pem", "/b.pem", "/c.pem"]\n`,
    );
  });

  it('inserts ca into a table that has none', () => {
    const text = `[registry."${REG}"]\n  http = false\n`;
    expect(upsertRegistryCa(text, REG, '/x.pem').text).toBe(
      `[registry."${REG}"]\n  ca = ["/x.pem"]\n  http = false\n`,
    );
  });

  it('is idempotent: a second run changes nothing', () => {
    const once = upsertRegistryCa('debug = true\n', REG, '/x/ca.pem');
    expect(upsertRegistryCa(once.text, REG, '/x/ca.pem')).toEqual({ text: once.text, changed: false });
  });

  it('refuses a registry named in a form it cannot edit safely', () => {
    const text = `[registry]\n"${REG}" = { ca = ["/old.pem"] }\n`;
    const error = (() => {
      try {
        upsertRegistryCa(text, REG, '/x.pem');
      } catch (e) {
        return e;
      }
    })();
    expect(isHomefaasError(error, 'ERR_BUILDKIT_CONFIG_UNSUPPORTED')).toBe(true);
  });
});

describe('missingCaReason', () => {
  // The shape buildx stores after `docker buildx create --buildkitd-config` (go-toml output, in-container paths).
  const stored = (caFile: string) => ({
    'buildkitd.toml': `\n[registry]\n\n  [registry."${REG}"]\n    ca = ["/etc/buildkit/certs/docker-registry.home.lan_5000/homeCA.pem"]\n`,
    'certs/docker-registry.home.lan_5000/homeCA.pem': caFile,
  });

  it('accepts a stored config whose CA file is ours', () => {
    expect(missingCaReason(stored(CA.replace(/\n/g, '\r\n')), REG, CA)).toBeUndefined();
  });

  it('names each reason to recreate', () => {
    expect(missingCaReason({}, REG, CA)).toBe('it was created without a buildkitd config');
    expect(missingCaReason({ 'buildkitd.toml': 'debug = true\n' }, REG, CA)).toBe(
      `its buildkitd config has no CA for ${REG}`,
    );
    expect(missingCaReason(stored(CA.replace('AbCd', 'XyZw')), REG, CA)).toBe(
      `the CA it stores for ${REG} is not the workspace CA`,
    );
  });
});
