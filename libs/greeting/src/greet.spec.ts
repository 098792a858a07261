import { describe, expect, it } from 'vitest';
import { greet } from './greet';

describe('greet', () => {
  it.each([
    ['Ada', 'Hello, Ada!'],
    [undefined, 'Hello, world!'],
    ['', 'Hello, world!'],
    ['   ', 'Hello, world!'],
    ['  Grace   Hopper ', 'Hello, Grace Hopper!'],
    ['Bob\r\nSet-Cookie: x', 'Hello, Bob Set-Cookie: x!'],
    ['Zoë 🙂', 'Hello, Zoë 🙂!'],
  ])('greets %j as %j', (name, expected) => {
    expect(greet(name)).toBe(expected);
  });

  it('cuts a long name to 64 characters without splitting a character', () => {
    const greeting = greet('🙂'.repeat(100));
    expect(greeting).toBe(`Hello, ${'🙂'.repeat(64)}!`);
  });
});
