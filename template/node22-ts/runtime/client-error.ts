import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CallHandle } from './invoke';

/** How long a refused connection stays half-open for the client to read the answer. */
const LINGER_MS = 500;

// Node's own answers to what its parser refuses; anything else is a 400.
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** A call still running on the connection whose request could not be parsed. */
export interface PendingCall {
  readonly res: ServerResponse;
  readonly call: CallHandle;
}

const handled = new WeakSet<Duplex>();

/**
 * Answers what Node's HTTP parser refused (a bad request line or header, headers too large or too
 * slow, a body that breaks its framing) and closes the connection, as the `clientError` event asks of
 * its listener. A call still reading its body answers 400 itself; a call that was parsed before the bad
 * request (pipelining) answers first. A client that reset the connection gets nothing.
 * Node calls it again for each later chunk of the same connection: those are ignored.
 * @see https://nodejs.org/api/http.html#event-clienterror
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  pending: PendingCall | undefined,
): void {
  if (handled.has(socket)) return;
  handled.add(socket);
  if (error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  if (pending?.call.malformed()) return;
  const status = STATUS_BY_CODE[error.code ?? ''] ?? 400;
  if (pending) pending.res.once('close', () => refuseConnection(socket, status));
  else refuseConnection(socket, status);
}

/**
 * Sends `status` and closes the connection. Node's default writes its answer and destroys the socket at
 * once: bytes the client sent after the bad request are then unread, the kernel resets the connection,
 * and the client may never see the answer. Here the answer goes with a FIN, and the socket is destroyed
 * once the client closes its side, or after a short linger, as Go's net/http does.
 */
function refuseConnection(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const phrase = STATUS_CODES[status] ?? 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${phrase}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(phrase) + 1}\r\n\r\n${phrase}\n`,
  );
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(linger));
}
