import type { IncomingHttpHeaders } from 'node:http';

/**
 * One HTTP call as the handler sees it, shaped like the official Node template's `event`.
 * `body` is parsed from the request: JSON (`application/json`) as a value, `text/*` as a string,
 * `application/x-www-form-urlencoded` as an object, anything else (or every body when `RAW_BODY=true`)
 * as a Buffer. Without a content type the body is read as text.
 */
export interface FunctionEvent<TBody = unknown> {
  readonly body: TBody;
  /** Lower-cased request headers. */
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  /** The query string; a repeated key gives an array. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** The path as the client sent it, without the query string and not normalised: `/`, `/items/1`. */
  readonly path: string;
}

/** Header values a handler may set on its response. */
export type ResponseHeaders = Record<string, string | number | readonly string[]>;

/**
 * Controls the response, like the official Node template's `context`: `status` and `headers` read the
 * current value without an argument and chain with one; `succeed` and `fail` answer the call (the
 * first answer wins, as does a value returned by the handler).
 */
export interface FunctionContext {
  status(): number;
  status(code: number): FunctionContext;
  headers(): ResponseHeaders;
  /** Replaces the response headers (it does not merge). */
  headers(values: ResponseHeaders): FunctionContext;
  /** Answers with `value`, encoded like a returned value. */
  succeed(value?: unknown): void;
  /**
   * Answers with an error status (500 unless `status` set another): a string is sent as the body;
   * anything else is logged and the body is the generic status text.
   */
  fail(error?: unknown): void;
  /** Aborted when the runtime stops waiting for this call: exec timeout, client gone, or call ended. */
  readonly signal: AbortSignal;
}

/**
 * A function: returns (or resolves to) the response body, or answers through `context`. An object or
 * array is sent as JSON, a string as text, a Buffer as bytes. Throwing answers 500 with a generic body.
 */
export type Handler<TBody = unknown> = (event: FunctionEvent<TBody>, context: FunctionContext) => unknown;

/** A handler whatever body type it declares: what the runtime accepts. */
export type AnyHandler = Handler<never>;

/** A handler module: `export default handler` or `export const handler` (or a CommonJS function). */
export type HandlerModule = AnyHandler | { readonly default?: unknown; readonly handler?: unknown };
