/** Who is greeted when no name is given. */
export const DEFAULT_NAME = 'world';

// Long enough for any real name, short enough that a greeting stays one line.
const MAX_NAME_LENGTH = 64;

/**
 * `Hello, <name>!` for a name taken from untrusted input: surrounding whitespace and control characters are
 * dropped, runs of whitespace collapse, the name is cut to 64 characters, and an empty name greets the world.
 */
export function greet(name?: string): string {
  const clean = (name ?? '')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const shown = [...clean].slice(0, MAX_NAME_LENGTH).join('').trim();
  return `Hello, ${shown === '' ? DEFAULT_NAME : shown}!`;
}
