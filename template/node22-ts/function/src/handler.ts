import type { Handler } from '@homefaas/node22-ts';

/** The body this function accepts: JSON such as {"name": "Ada"}. */
interface Input {
  name?: string;
}

/**
 * Answers a call. `event` holds the body (JSON parsed, text as a string), headers, method, query and path;
 * a returned object is sent as JSON. `context.status()` sets the status code.
 */
const handler: Handler<Input | string | undefined> = async (event, context) => {
  if (event.method !== 'GET' && event.method !== 'POST') {
    context.status(405).headers({ allow: 'GET, POST' });
    return { error: `${event.method} is not allowed` };
  }
  const { body, query } = event;
  const name = body !== null && typeof body === 'object' ? body.name : query.name;
  return { greeting: `Hello, ${typeof name === 'string' && name !== '' ? name : 'world'}!` };
};

export default handler;
