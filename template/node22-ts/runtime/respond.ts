import {
  type OutgoingHttpHeaders,
  type ServerResponse,
  STATUS_CODES,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { ResponseHeaders } from './types';

/** A response checked and encoded, ready to write. */
export interface ResponsePlan {
  readonly status: number;
  /** Sent unless `headers` holds a content type. */
  readonly type?: string;
  /** The handler's headers, checked; empty for the runtime's own answers. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body?: string | Buffer;
}

/** The headers the runtime adds to an answer, over any the handler set with the same name. */
export interface OwnHeaders {
  /** `x-duration-seconds`, as of-watchdog sends it; probes send none. */
  readonly seconds?: string;
  /** Asks the client to close the connection: after an unread body, or while draining. */
  readonly close?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const BYTES_TYPE = 'application/octet-stream';
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Encodes a handler's answer: a Buffer (or typed array) as bytes, a string as text, `undefined` or
 * `null` as no body, anything else as JSON. A `content-type` the handler set wins. Throws when the
 * status, a header or the JSON encoding is invalid, before anything is written.
 */
export function planAnswer(value: unknown, status: number, headers: ResponseHeaders): ResponsePlan {
  const checked = checkHeaders(headers);
  checkStatus(status);
  if (value === undefined || value === null) return { status, headers: checked };
  if (Buffer.isBuffer(value)) return { status, type: BYTES_TYPE, headers: checked, body: value };
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { status, type: BYTES_TYPE, headers: checked, body: bytes };
  }
  if (typeof value === 'string') return { status, type: TEXT_TYPE, headers: checked, body: value };
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`A ${typeof value} cannot be sent as JSON.`);
  return { status, type: JSON_TYPE, headers: checked, body: json };
}

/** A plain-text answer from the runtime itself; without `text`, the status's standard phrase. */
export function planText(status: number, text?: string): ResponsePlan {
  return {
    status,
    type: TEXT_TYPE,
    headers: NO_HEADERS,
    body: `${text ?? STATUS_CODES[status] ?? 'Error'}\n`,
  };
}

/**
 * Writes a plan with the runtime's own headers, which win over the handler's whatever their case.
 * Without headers from the handler, all of them go to `writeHead` at once, Node's fastest way.
 */
export function writePlan(res: ServerResponse, plan: ResponsePlan, own: OwnHeaders): void {
  const length = plan.body === undefined ? 0 : Buffer.byteLength(plan.body);
  if (isEmpty(plan.headers)) {
    const headers: OutgoingHttpHeaders = {};
    if (plan.type !== undefined) headers['content-type'] = plan.type;
    if (own.seconds !== undefined) headers['x-duration-seconds'] = own.seconds;
    if (own.close) headers.connection = 'close';
    headers['content-length'] = length;
    res.writeHead(plan.status, headers);
  } else {
    // setHeader replaces a header whatever the case of its name, so the runtime's own come last.
    for (const name of Object.keys(plan.headers))
      res.setHeader(name, plan.headers[name] as string | string[]);
    if (plan.type !== undefined && !res.hasHeader('content-type')) res.setHeader('content-type', plan.type);
    if (own.seconds !== undefined) res.setHeader('x-duration-seconds', own.seconds);
    if (own.close) res.setHeader('connection', 'close');
    res.setHeader('content-length', length);
    res.writeHead(plan.status);
  }
  res.end(plan.body);
}

function isEmpty(headers: object): boolean {
  for (const _ in headers) return false;
  return true;
}

function checkStatus(status: number): void {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new RangeError(`context.status(${String(status)}) is not an HTTP status code.`);
  }
}

function checkHeaders(headers: ResponseHeaders): Readonly<Record<string, string | string[]>> {
  if (isEmpty(headers)) return NO_HEADERS;
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
