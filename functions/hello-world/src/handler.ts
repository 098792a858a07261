import { greet } from '@homefaas/greeting';
import type { FunctionEvent, Handler } from '@homefaas/node22-ts';

/** Greets whoever the call names: `{"name": ...}` in a JSON body, a text body, or `?name=`; else the world. */
const handler: Handler = async (event) => {
  return { message: greet(nameOf(event)) };
};

function nameOf(event: FunctionEvent): string | undefined {
  const { body, query } = event;
  if (typeof body === 'string' && body.trim() !== '') return body;
  if (body !== null && typeof body === 'object' && 'name' in body && typeof body.name === 'string')
    return body.name;
  const fromQuery = query.name;
  return Array.isArray(fromQuery) ? fromQuery[0] : fromQuery;
}

export default handler;
