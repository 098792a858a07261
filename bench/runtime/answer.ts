/** The JSON both servers of the runtime benchmark answer: small, like a typical function's reply. */
export const ANSWER = {
  ok: true,
  message: 'hello from the benchmark',
  items: [1, 2, 3],
  nested: { name: 'node22-ts', version: 1 },
} as const;
