import type { IncomingMessage } from 'node:http';

/** What reading a request body gave: the bytes, or the status to answer (0 when the client left). */
export type ReadBodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly status: 0 | 408 | 413 };

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
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
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

/**
 * Reads the whole body, at most `limit` bytes and within `timeoutMs` (0: no limit). On failure the rest
 * of the body is discarded rather than left unread, so the client can still read the error answer.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<ReadBodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;

    const settle = (result: ReadBodyResult): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      if (!result.ok) req.resume();
      resolve(result);
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

    if (declared > limit) {
      settle({ ok: false, status: 413 });
      return;
    }
    if (timeoutMs > 0) timer = setTimeout(() => settle({ ok: false, status: 408 }), timeoutMs);
    req.on('data', onData).on('end', onEnd).on('close', onClose);
  });
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

function decodeText(bytes: Buffer, contentType: string | undefined): ParseBodyResult {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  try {
    return { ok: true, body: new TextDecoder(charset).decode(bytes) };
  } catch {
    return { ok: false, status: 415, message: `Unsupported charset "${charset}".` };
  }
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
