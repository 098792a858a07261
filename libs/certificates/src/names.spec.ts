import { describe, expect, it } from 'vitest';
import { assertDnsName, assertIp, bytesToIp, normalizeIp, parseCidr } from './names';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('assertDnsName', () => {
  it.each([
    'docker-registry.home.lan',
    'localhost',
    'a.b',
    '*.fn.home.lan',
    'Registry.Home.Lan',
    `${'a'.repeat(63)}.lan`,
    `${Array(4).fill('a'.repeat(61)).join('.')}.lan`,
    'x1.home.arpa',
  ])('accepts %s', (name) => {
    expect(codeOf(() => assertDnsName(name, 'domain'))).toBeUndefined();
  });

  it.each([
    ['', 'it is empty'],
    ['has space.home.lan', 'character other than'],
    ['-lead.home.lan', 'starts or ends with a hyphen'],
    ['trail-.home.lan', 'starts or ends with a hyphen'],
    [`${'a'.repeat(64)}.lan`, 'the limit is 63'],
    [`${Array(5).fill('a'.repeat(50)).join('.')}.lan`, 'the limit is 253'],
    ['a..home.lan', 'empty label'],
    ['.home.lan', 'empty label'],
    ['home.lan.', 'empty label'],
    ['under_score.lan', 'character other than'],
    ['*.lan', 'wildcard needs'],
    ['a.*.home.lan', 'whole leftmost label'],
    ['f*.home.lan', 'whole leftmost label'],
    ['192.168.1.20', 'IP address'],
    ['host.123', 'all digits'],
  ])('refuses %j (%s) and names the input', (name, reason) => {
    expect(() => assertDnsName(name, '--altNames')).toThrow(reason);
    expect(() => assertDnsName(name, '--altNames')).toThrow(/^--altNames /);
    expect(codeOf(() => assertDnsName(name, '--altNames'))).toBe('ERR_CERT_DNS_NAME');
  });
});

describe('assertIp', () => {
  it.each(['127.0.0.1', '192.168.1.20', '::1', 'fd00::20', '::ffff:10.0.0.1'])('accepts %s', (ip) => {
    expect(codeOf(() => assertIp(ip, '--ip'))).toBeUndefined();
  });

  it.each(['', '1.2.3', '256.1.1.1', '1.2.3.4/32', 'fe80::1%eth0', 'localhost', '1.2.3.4.5', '01.2.3.4x'])(
    'refuses %j',
    (ip) => {
      expect(() => assertIp(ip, '--ip')).toThrow(/^--ip .* is not an IP address/);
      expect(codeOf(() => assertIp(ip, '--ip'))).toBe('ERR_CERT_IP');
    },
  );
});

describe('parseCidr', () => {
  it.each([
    ['192.168.0.0/16', 'c0a80000', 'ffff0000'],
    ['127.0.0.1/32', '7f000001', 'ffffffff'],
    ['127.0.0.1', '7f000001', 'ffffffff'],
    ['10.0.0.0/8', '0a000000', 'ff000000'],
    ['172.16.0.0/12', 'ac100000', 'fff00000'],
    ['0.0.0.0/0', '00000000', '00000000'],
    ['fd00::/8', `fd${'0'.repeat(30)}`, `ff${'0'.repeat(30)}`],
    ['::1/128', `${'0'.repeat(31)}1`, 'f'.repeat(32)],
  ])('parses %s', (cidr, address, mask) => {
    const range = parseCidr(cidr, '--permittedIps');
    expect(range.address.toString('hex')).toBe(address);
    expect(range.mask.toString('hex')).toBe(mask);
  });

  it.each([
    ['192.168.1.0/16', 'Did you mean 192.168.0.0/16'],
    ['10.0.0.0/33', 'prefix length must be 0 to 32'],
    ['10.0.0.0/x', 'prefix length'],
    ['10.0.0/8', 'does not parse'],
    ['10.0.0.0/8/1', 'does not parse'],
    ['home.lan', 'does not parse'],
  ])('refuses %s', (cidr, text) => {
    let error: { code?: string; message: string; hint?: string } | undefined;
    try {
      parseCidr(cidr, '--permittedIps');
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error?.code).toBe('ERR_CERT_CIDR');
    expect(`${error?.message} ${error?.hint}`).toContain(text);
    expect(error?.message).toMatch(/^--permittedIps /);
  });
});

describe('IP text', () => {
  it.each([
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['FD00:0:0:0:0:0:0:20', 'fd00::20'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['192.168.1.20', '192.168.1.20'],
  ])('normalizes %s to %s', (ip, expected) => {
    expect(normalizeIp(ip)).toBe(expected);
  });

  it('prints 4 and 16 bytes', () => {
    expect(bytesToIp(Buffer.from([10, 0, 0, 1]))).toBe('10.0.0.1');
    expect(bytesToIp(Buffer.alloc(16))).toBe('::');
  });
});
