import { describe, expect, it } from 'vitest';
import { parseStack } from './parse-stack';
import { DEFAULT_PLATFORMS, isPlatform, parsePlatforms } from './platforms';

const stackWith = (platforms: string) =>
  `version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n  fn:\n    image: r.lan:5000/fn:latest\n    platforms: ${JSON.stringify(platforms)}\n`;

describe('platforms', () => {
  it.each([
    ['linux/amd64', true],
    ['linux/arm/v7', true],
    ['linux/arm64/v8', true],
    ['linux/amd_64', false],
    ['Linux/amd64', false],
    ['arm64', false],
    ['linux/arm/v7/x', false],
  ])('%s: isPlatform and stack.yml agree (%s)', (platform, valid) => {
    expect(isPlatform(platform)).toBe(valid);
    const parse = () => parseStack(stackWith(platform));
    if (valid) expect(parse).not.toThrow();
    else expect(parse).toThrow(/platforms/);
  });

  it('parses a comma list into distinct platforms, the defaults when it names none', () => {
    expect(parsePlatforms(' linux/arm64 , linux/arm/v7,linux/arm64')).toEqual([
      'linux/arm64',
      'linux/arm/v7',
    ]);
    expect(parsePlatforms(undefined)).toEqual([...DEFAULT_PLATFORMS]);
    expect(parsePlatforms(' , ')).toEqual([...DEFAULT_PLATFORMS]);
  });
});
