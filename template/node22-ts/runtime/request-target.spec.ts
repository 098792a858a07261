import { describe, expect, it } from 'vitest';
import { splitRequestTarget } from './request-target';

describe('splitRequestTarget', () => {
  it.each([
    ['/', '/', ''],
    ['/items/7', '/items/7', ''],
    ['/items/7?a=1&a=2', '/items/7', 'a=1&a=2'],
    ['/?', '/', ''],
    ['/a?b?c', '/a', 'b?c'],
    ['/a#frag', '/a', ''],
    ['/a?b=1#frag', '/a', 'b=1'],
    ['/a#frag?b=1', '/a', ''],
    ['//evil.com/echo', '//evil.com/echo', ''],
    ['//evil.com/echo?x=1', '//evil.com/echo', 'x=1'],
    ['/a/../b', '/a/../b', ''],
    ['/%2e%2e/x%20y', '/%2e%2e/x%20y', ''],
    ['/\\\\evil.com', '/\\\\evil.com', ''],
    ['http://function.example/items/7?a=1', '/items/7', 'a=1'],
    ['HTTP://function.example', '/', ''],
    ['*', '*', ''],
  ])('%s gives path %s and query %s', (url, path, query) => {
    expect(splitRequestTarget(url)).toEqual({ path, query });
  });
});
