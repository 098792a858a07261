import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KeyPair } from '../../../../test/support/openssl-pki';

/** A request the fake registry saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/** How the fake registry behaves; tests change it between requests. */
export interface FakeRegistryBehaviour {
  auth: 'none' | 'basic' | 'bearer';
  users: Record<string, string>;
  /** Send no Docker-Content-Digest header on manifest answers. */
  omitDigest: boolean;
  /** Send this Docker-Content-Digest instead of the true one. */
  wrongDigest?: string;
  /** Page size of _catalog and tags/list. */
  pageSize: number;
}

/** An in-process HTTPS server speaking enough of the distribution API for the client's tests. */
export interface FakeRegistry {
  readonly url: string;
  readonly port: number;
  readonly requests: SeenRequest[];
  readonly behaviour: FakeRegistryBehaviour;
  readonly blobs: Map<string, Buffer>;
  /** Stores a manifest directly, as if pushed earlier. */
  seedManifest(repository: string, tag: string, body: string, mediaType: string): string;
  close(): Promise<void>;
}

interface StoredManifest {
  body: Buffer;
  mediaType: string;
  digest: string;
}

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Starts the fake registry on 127.0.0.1 with the given certificate (and chain, if any). */
export async function startFakeRegistry(tls: KeyPair): Promise<FakeRegistry> {
  const requests: SeenRequest[] = [];
  const behaviour: FakeRegistryBehaviour = { auth: 'none', users: {}, omitDigest: false, pageSize: 100 };
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Map<string, StoredManifest>>();
  const uploads = new Set<string>();

  function store(repository: string, reference: string, body: Buffer, mediaType: string): string {
    const digest = sha256(body);
    const refs = manifests.get(repository) ?? new Map<string, StoredManifest>();
    refs.set(reference, { body, mediaType, digest });
    refs.set(digest, { body, mediaType, digest });
    manifests.set(repository, refs);
    return digest;
  }

  function basicUser(header: string | undefined): string | undefined {
    const match = header?.match(/^Basic (.+)$/);
    if (!match?.[1]) return undefined;
    const [user = '', ...rest] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
    return behaviour.users[user] !== undefined && behaviour.users[user] === rest.join(':') ? user : undefined;
  }

  // Only the token endpoint sees credentials in bearer mode; the token names the scope it grants.
  function authorized(req: IncomingMessage, scope: string): boolean {
    if (behaviour.auth === 'none') return true;
    if (behaviour.auth === 'basic') return basicUser(req.headers.authorization) !== undefined;
    const token = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    if (!token) return false;
    const granted = Buffer.from(token, 'base64url').toString('utf8');
    // A pull,push token also covers pull, as with Distribution's token auth.
    return (
      granted === `grant ${scope}` ||
      granted === `grant ${scope},push` ||
      (scope === '' && granted.startsWith('grant '))
    );
  }

  function challenge(res: ServerResponse, scope: string, port: number): void {
    const header =
      behaviour.auth === 'basic'
        ? 'Basic realm="Registry Realm"'
        : `Bearer realm="https://127.0.0.1:${port}/token",service="fake-registry"${scope ? `,scope="${scope}"` : ''}`;
    json(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
      { 'www-authenticate': header },
    );
  }

  function json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  function paged(
    req: IncomingMessage,
    res: ServerResponse,
    all: string[],
    key: string,
    extra: Record<string, unknown>,
  ) {
    const url = new URL(req.url ?? '/', 'https://x');
    const last = url.searchParams.get('last');
    const start = last === null ? 0 : all.indexOf(last) + 1;
    const page = all.slice(start, start + behaviour.pageSize);
    const headers: Record<string, string> = {};
    if (start + behaviour.pageSize < all.length) {
      headers.link = `<${url.pathname}?last=${encodeURIComponent(page[page.length - 1] ?? '')}&n=${behaviour.pageSize}>; rel="next"`;
    }
    json(res, 200, { ...extra, [key]: page }, headers);
  }

  function manifestHeaders(stored: StoredManifest): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': stored.mediaType,
      'content-length': String(stored.body.length),
    };
    if (!behaviour.omitDigest) headers['docker-content-digest'] = behaviour.wrongDigest ?? stored.digest;
    return headers;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'https://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path: `${path}${url.search}`, headers: req.headers });

    if (path === '/token') {
      if (!basicUser(req.headers.authorization)) return json(res, 401, { details: 'bad credentials' });
      const scope = url.searchParams.get('scope') ?? '';
      return json(res, 200, { token: Buffer.from(`grant ${scope}`).toString('base64url'), expires_in: 300 });
    }
    const repoMatch = path.match(/^\/v2\/(.+?)\/(manifests|tags|blobs)\/(.*)$/);
    const repository = repoMatch?.[1] ?? '';
    const push = method === 'PUT' || method === 'POST';
    const scope =
      path === '/v2/'
        ? ''
        : path === '/v2/_catalog'
          ? 'registry:catalog:*'
          : `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
    if (!authorized(req, scope)) return challenge(res, scope, port);

    if (path === '/v2/') return json(res, 200, {});
    if (path === '/v2/_catalog') return paged(req, res, [...manifests.keys()].sort(), 'repositories', {});
    if (!repoMatch) return json(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no route' }] });
    const [, , kind, rest = ''] = repoMatch;
    if (kind === 'tags') {
      const refs = manifests.get(repository);
      if (!refs)
        return json(res, 404, {
          errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }],
        });
      const tags = [...refs.keys()].filter((ref) => !ref.startsWith('sha256:')).sort();
      return paged(req, res, tags, 'tags', { name: repository });
    }
    if (kind === 'manifests') {
      if (method === 'PUT') {
        const digest = store(repository, rest, body, (req.headers['content-type'] ?? '').toString());
        res.writeHead(201, {
          'docker-content-digest': behaviour.wrongDigest ?? digest,
          location: `/v2/${repository}/manifests/${digest}`,
        });
        return void res.end();
      }
      const stored = manifests.get(repository)?.get(rest);
      if (!stored)
        return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      res.writeHead(200, manifestHeaders(stored));
      return void res.end(method === 'HEAD' ? undefined : stored.body);
    }
    // blobs
    if (method === 'HEAD') {
      const blob = blobs.get(rest);
      res.writeHead(
        blob ? 200 : 404,
        blob ? { 'content-length': String(blob.length), 'docker-content-digest': rest } : {},
      );
      return void res.end();
    }
    if (method === 'POST' && rest === 'uploads/') {
      const id = randomUUID();
      uploads.add(id);
      res.writeHead(202, {
        location: `/v2/${repository}/blobs/uploads/${id}?_state=opaque`,
        'docker-upload-uuid': id,
      });
      return void res.end();
    }
    const id = rest.replace(/^uploads\//, '');
    if (method === 'PUT' && uploads.has(id)) {
      const digest = url.searchParams.get('digest') ?? '';
      if (url.searchParams.get('_state') !== 'opaque' || sha256(body) !== digest) {
        return json(res, 400, {
          errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }],
        });
      }
      uploads.delete(id);
      blobs.set(digest, body);
      res.writeHead(201, { 'docker-content-digest': digest, location: `/v2/${repository}/blobs/${digest}` });
      return void res.end();
    }
    return json(res, 404, { errors: [{ code: 'BLOB_UPLOAD_UNKNOWN', message: 'blob upload unknown' }] });
  }

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    handle(req, res, port).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    behaviour,
    blobs,
    seedManifest: (repository, tag, body, mediaType) => store(repository, tag, Buffer.from(body), mediaType),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
