// The benchmark's reference: the least a Node HTTP server does to answer ANSWER as JSON.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ANSWER } from './answer';

const server = createServer((_req, res) => {
  const body = JSON.stringify(ANSWER);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.listen(Number(process.env.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on port ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
