import type { IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';

/** What reading a request body gave: the bytes, or the status to answer (0 when the client left). */
export type ReadBodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly status: 0 | 400 | 408 | 413 };

/** What parsing a body gave: the event's body, or a client error to answer. */
export type ParseBodyResult =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly status: 400 | 415; readonly message: string };

/** The parts of the resolved config that decide how a body is read. */
export interface BodyOptions {
  readonly rawBody: boolean;
  readonly maxJsonBytes: number;
  readonly maxRawBytes: number;
}

/** The media type of a request, lower-cased; none counts as `text/plain`, as in the official template. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return 'text/plain';
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  return type ? type : 'text/plain';
}

function isJson(mediaType: string): boolean {
  return (
    mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
  );
}

/** The size limit for a body: `MAX_JSON_SIZE` for JSON that will be parsed, `MAX_RAW_SIZE` otherwise. */
export function bodyLimit(mediaType: string, options: BodyOptions): number {
  return !options.rawBody && isJson(mediaType) ? options.maxJsonBytes : options.maxRawBytes;
}

/** The bytes of a request without a body. */
export const NO_BODY = Buffer.alloc(0);

/** True when a request announces a body: a non-zero content-length, or a transfer-encoding. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads the whole body, at most `limit` bytes, and calls `done` once with the bytes or the status to
 * answer. Returns a function that ends the read early with a result of the caller's (a read timeout).
 * On failure the rest of the body is discarded rather than left unread, so the client can still read
 * the error answer.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: (result: ReadBodyResult) => void,
): (result: ReadBodyResult) => void {
  let settled = false;
  const chunks: Buffer[] = [];
  let size = 0;

  const settle = (result: ReadBodyResult): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData).off('end', onEnd).off('close', onClose);
    if (!result.ok) req.resume();
    done(result);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limit) settle({ ok: false, status: 413 });
    else chunks.push(chunk);
  };
  const onEnd = (): void => settle({ ok: true, bytes: Buffer.concat(chunks, size) });
  const onClose = (): void => {
    if (!req.complete) settle({ ok: false, status: 0 });
  };

  if (Number(req.headers['content-length']) > limit) settle({ ok: false, status: 413 });
  else req.on('data', onData).on('end', onEnd).on('close', onClose);
  return settle;
}

/**
 * Turns body bytes into the event's body the way the official Node template's body-parser setup does:
 * JSON parsed (empty is `{}`), `text/*` decoded with its charset, forms as an object, anything else
 * (or everything when `rawBody`) as a Buffer.
 */
export function parseBody(bytes: Buffer, contentType: string | undefined, rawBody: boolean): ParseBodyResult {
  const mediaType = mediaTypeOf(contentType);
  if (rawBody) return { ok: true, body: bytes };
  if (isJson(mediaType)) return parseJson(bytes);
  if (mediaType.startsWith('text/')) return decodeText(bytes, contentType);
  if (mediaType === 'application/x-www-form-urlencoded')
    return { ok: true, body: parseForm(bytes.toString('utf8')) };
  return { ok: true, body: bytes };
}

function parseJson(bytes: Buffer): ParseBodyResult {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, message: 'The request body is not valid JSON.' };
  }
}

// One decoder per charset label: decoding without `stream` keeps no state between calls. Only labels
// TextDecoder accepts are kept, so the map stays as small as the WHATWG list of encodings.
const decoders = new Map<string, TextDecoder>([['utf-8', new TextDecoder('utf-8')]]);

function decodeText(bytes: Buffer, contentType: string | undefined): ParseBodyResult {
  if (bytes.length === 0 && contentType === undefined) return { ok: true, body: '' };
  const charset = (contentType && /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]) || 'utf-8';
  const key = charset.toLowerCase();
  let decoder = decoders.get(key);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      return { ok: false, status: 415, message: `Unsupported charset "${charset}".` };
    }
    decoders.set(key, decoder);
  }
  return { ok: true, body: decoder.decode(bytes) };
}

/** Parses a query string or form: a repeated key gives an array of its values. */
export function parseForm(text: string): Record<string, string | string[]> {
  // A Map, then fromEntries: a key such as "__proto__" becomes a plain own property.
  const values = new Map<string, string | string[]>();
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = values.get(key);
    if (previous === undefined) values.set(key, value);
    else if (Array.isArray(previous)) previous.push(value);
    else values.set(key, [previous, value]);
  }
  return Object.fromEntries(values);
}
