import { afterEach, describe, expect, it } from 'vitest';
import {
  type Child,
  connectionRefused,
  portOf,
  startChild,
  stopChildren,
} from './test-support/child-process';
import { call } from './test-support/harness';

afterEach(stopChildren);

const SLOW = ['/slow-1', '/slow-2', '/slow-3'];

/** Starts three calls that take 1.5 s each and waits until all three run. */
async function callsInFlight(child: Child, port: number) {
  const answers = SLOW.map((path) => call(port, { path: `${path}?ms=1500` }));
  for (const path of SLOW) await child.waitFor(`started ${path}`);
  return answers;
}

describe('an error nothing catches', () => {
  it.each([
    {
      what: 'a throw from a timer after its call answered',
      path: '/throw',
      logged: 'uncaught exception: Error: thrown from a timer',
      expected: [200, 'done /throw'],
    },
    {
      what: 'a rejection nothing handles, from a call that answers',
      path: '/reject',
      logged: 'unhandled rejection: Error: a rejection nobody handles',
      expected: [200, 'done /reject'],
    },
    {
      what: 'a throw from a timer while its call runs on (exec_timeout answers it)',
      path: '/throw?ms=20000',
      logged: 'uncaught exception: Error: thrown from a timer',
      expected: [504, 'The function did not answer within 3s.\n'],
    },
  ])(
    '$what: every call in flight gets its whole answer, then the process exits 1',
    async ({ path, logged, expected }) => {
      const child = startChild({ write_timeout: '10s', exec_timeout: '3s' });
      const port = await portOf(child);
      const inFlight = await callsInFlight(child, port);

      const culprit = call(port, { path });
      await child.waitFor(logged);
      await child.waitFor(/draining \d call\(s\), for at most 10s/);
      expect(await connectionRefused(port)).toBe(true);

      const answers = await Promise.all(inFlight);
      expect(answers.map((answer) => [answer.status, answer.text])).toEqual(
        SLOW.map((slow) => [200, `done ${slow}`]),
      );
      expect(answers.every((answer) => answer.headers.connection === 'close')).toBe(true);
      const answer = await culprit;
      expect([answer.status, answer.text]).toEqual(expected);
      expect(await child.exited).toEqual({ code: 1, signal: null });
      expect(child.output()).toContain('the process may be broken: serving no new calls');
      for (const slow of SLOW) expect(child.output()).toMatch(new RegExp(`GET ${slow} 200 \\d+ms\\n`));
    },
  );
});
