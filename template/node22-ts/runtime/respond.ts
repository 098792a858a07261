import { type ServerResponse, STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';
import type { ResponseHeaders } from './types';

/** A response checked and encoded, ready to write. */
export interface ResponsePlan {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body?: string | Buffer;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * Encodes a handler's answer: a Buffer (or typed array) as bytes, a string as text, `undefined` or
 * `null` as no body, anything else as JSON. A `content-type` the handler set wins. Throws when the
 * status, a header or the JSON encoding is invalid, before anything is written.
 */
export function planAnswer(value: unknown, status: number, headers: ResponseHeaders): ResponsePlan {
  const checked = checkHeaders(headers);
  checkStatus(status);
  const hasType = Object.keys(checked).some((name) => name.toLowerCase() === 'content-type');
  const withType = (type: string) => (hasType ? checked : { ...checked, 'content-type': type });
  if (value === undefined || value === null) return { status, headers: checked };
  if (Buffer.isBuffer(value)) return { status, headers: withType('application/octet-stream'), body: value };
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { status, headers: withType('application/octet-stream'), body: bytes };
  }
  if (typeof value === 'string') return { status, headers: withType(TEXT_TYPE), body: value };
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`A ${typeof value} cannot be sent as JSON.`);
  return { status, headers: withType(JSON_TYPE), body: json };
}

/** A plain-text answer from the runtime itself; without `text`, the status's standard phrase. */
export function planText(status: number, text?: string): ResponsePlan {
  return {
    status,
    headers: { 'content-type': TEXT_TYPE },
    body: `${text ?? STATUS_CODES[status] ?? 'Error'}\n`,
  };
}

/** Writes a plan, then the runtime's own headers, which win over the handler's whatever their case. */
export function writePlan(
  res: ServerResponse,
  plan: ResponsePlan,
  own: Readonly<Record<string, string>>,
): void {
  for (const [name, value] of Object.entries(plan.headers)) res.setHeader(name, value);
  for (const [name, value] of Object.entries(own)) res.setHeader(name, value);
  res.setHeader('content-length', plan.body === undefined ? 0 : Buffer.byteLength(plan.body));
  res.writeHead(plan.status);
  res.end(plan.body);
}

function checkStatus(status: number): void {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new RangeError(`context.status(${String(status)}) is not an HTTP status code.`);
  }
}

function checkHeaders(headers: ResponseHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const encoded =
      typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value];
    validateHeaderName(name);
    for (const item of Array.isArray(encoded) ? encoded : [encoded]) validateHeaderValue(name, item);
    out[name] = encoded;
  }
  return out;
}
