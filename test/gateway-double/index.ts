import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  type DoubleProvider,
  isPublicImage,
  PUBLIC_IMAGES_ONLY,
  PUBLIC_REGISTRIES,
  RULES,
  TOO_MANY_FUNCTIONS,
} from './provider-rules';

export {
  type DoubleProvider,
  isPublicImage,
  PUBLIC_IMAGES_ONLY,
  RULES,
  TOO_MANY_FUNCTIONS,
} from './provider-rules';

/** Knobs that make the double misbehave the way real gateways do. Mutable while the double runs. */
export interface DoubleBehaviour {
  /** A PUT fails the provider's check: faas-netes CE 200 + empty body, nothing changed; faasd 500, function removed. */
  silentPutFailure?: boolean;
  /** Functions never get an available replica. */
  neverReady?: boolean;
  /** The first N `/system/*` requests (after auth) answer `failStatus`; `'always'` for all of them. */
  failWith5xx?: number | 'always';
  /** Status of `failWith5xx` answers; 503 by default. */
  failStatus?: number;
  /** A function has an available replica after this many reads of it (`GET /system/function/{name}`, or a listing) since its last deploy. */
  readyAfterPolls?: number;
  /** Reported as the image of every function, whatever was deployed. */
  imageOverride?: string;
  /** Registry hosts the CE public-image rule treats as public. */
  publicRegistries?: string[];
  /** The provider refuses to deploy these functions (POST and PUT): status and body, as for a quota or a bad setting. */
  refuse?: Record<string, { status: number; body: string }>;
}

/** Options of {@link startGatewayDouble}. */
export interface GatewayDoubleOptions {
  provider: DoubleProvider;
  /** Basic-auth user of `/system/*`; `admin` by default. */
  username?: string;
  /** Basic-auth password of `/system/*`; `double-password` by default. */
  password?: string;
  tls?: { certPem: string; keyPem: string };
  behaviour?: DoubleBehaviour;
}

/** One request as the double saw it. The Authorization value is never kept, only whether it matched. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON, raw text when not JSON, undefined when empty. */
  body: unknown;
  authorized: boolean;
  status: number;
}

/** A function as the double stores it (faas-provider `FunctionStatus`). */
export interface DoubleFunction {
  name: string;
  image: string;
  namespace: string;
  [field: string]: unknown;
  replicas: number;
  availableReplicas: number;
}

/** A running double. */
export interface GatewayDouble {
  url: string;
  provider: DoubleProvider;
  requests: RecordedRequest[];
  functions: Map<string, DoubleFunction>;
  secrets: Map<string, { name: string; namespace: string; value: string }>;
  behaviour: DoubleBehaviour;
  close(): Promise<void>;
}

const DEFAULT_NAMESPACE = 'openfaas-fn';

/**
 * Starts a loopback OpenFaaS gateway that answers like faasd CE or faas-netes CE (status codes, 401 body and
 * header, `/system/info`, the CE public-image rule and 15-function limit, the silent 200 of a CE PUT) and
 * records every request so tests can assert the exact sequence and bodies. Test code only.
 */
export async function startGatewayDouble(options: GatewayDoubleOptions): Promise<GatewayDouble> {
  const rules = RULES[options.provider];
  const expected = `Basic ${Buffer.from(`${options.username ?? 'admin'}:${options.password ?? 'double-password'}`).toString('base64')}`;
  const behaviour: DoubleBehaviour = { ...options.behaviour };
  const functions = new Map<string, DoubleFunction>();
  const secrets = new Map<string, { name: string; namespace: string; value: string }>();
  const polls = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let failures = 0;

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const text = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: recordedHeaders(req),
      body: parseBody(text),
      authorized: req.headers.authorization === expected,
      status: 0,
    };
    requests.push(record);
    const send = (status: number, body: unknown = '', headers: Record<string, string> = {}) => {
      record.status = status;
      const isText = typeof body === 'string';
      res.writeHead(status, {
        'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
        ...headers,
      });
      res.end(isText ? body : JSON.stringify(body));
    };
    const route = `${record.method} ${url.pathname}`;
    if (route === 'GET /healthz') return send(200, 'OK');
    if (url.pathname.startsWith('/function/')) return invoke(url.pathname, send);
    if (!url.pathname.startsWith('/system/')) return send(404, '404 page not found');
    if (!record.authorized)
      return send(401, 'invalid credentials\n', { 'www-authenticate': 'Basic realm="Restricted"' });
    if (behaviour.failWith5xx === 'always' || failures < (behaviour.failWith5xx ?? 0)) {
      failures += 1;
      return send(behaviour.failStatus ?? 503, 'upstream provider unavailable');
    }
    const namespace = record.query.namespace || DEFAULT_NAMESPACE;
    const body = record.body as Record<string, unknown> | undefined;
    const functionPath = /^\/system\/function\/([^/]+)$/.exec(url.pathname);

    if (route === 'GET /system/info') return send(200, rules.info);
    if (route === 'GET /system/functions') {
      const listed = [...functions.values()].filter((fn) => fn.namespace === namespace);
      for (const fn of listed) polls.set(fn.name, (polls.get(fn.name) ?? 0) + 1);
      return send(200, listed.map(view));
    }
    if (record.method === 'GET' && functionPath) {
      const fn = functions.get(decodeURIComponent(functionPath[1] ?? ''));
      if (fn === undefined || fn.namespace !== namespace) return send(404, 'Not Found');
      polls.set(fn.name, (polls.get(fn.name) ?? 0) + 1);
      return send(200, view(fn));
    }
    if (url.pathname === '/system/functions' && (record.method === 'POST' || record.method === 'PUT')) {
      if (typeof body?.service !== 'string' || typeof body.image !== 'string')
        return send(400, 'service and image are required');
      const name = body.service;
      const existing = functions.get(name);
      const refusal = behaviour.refuse?.[name];
      if (refusal) return send(refusal.status, refusal.body);
      if (
        rules.rejectsPrivateImages &&
        !isPublicImage(body.image, behaviour.publicRegistries ?? PUBLIC_REGISTRIES)
      ) {
        return send(400, PUBLIC_IMAGES_ONLY);
      }
      if (record.method === 'POST') {
        if (existing) return send(rules.alreadyExists.status, rules.alreadyExists.body(name));
        if (rules.functionLimit !== undefined && functions.size >= rules.functionLimit)
          return send(400, TOO_MANY_FUNCTIONS);
      } else {
        if (!existing) return send(404, `function ${name} not found`);
        if (behaviour.silentPutFailure) {
          if (rules.failedPut.removesFunction) functions.delete(name);
          return send(rules.failedPut.status, rules.failedPut.body);
        }
      }
      functions.set(name, stored(body, existing));
      polls.set(name, 0);
      return send(rules.accepted);
    }
    if (route === 'DELETE /system/functions') {
      const name = String(body?.functionName ?? '');
      if (!functions.delete(name)) return send(404, `function ${name} not found`);
      return send(rules.accepted);
    }
    if (url.pathname === '/system/secrets') return secret(record.method, namespace, body, send);
    const scale = /^\/system\/scale-function\/([^/]+)$/.exec(url.pathname);
    if (record.method === 'POST' && scale) {
      const fn = functions.get(decodeURIComponent(scale[1] ?? ''));
      if (fn === undefined) return send(404, 'Not Found');
      fn.replicas = Number(body?.replicas ?? fn.replicas);
      return send(rules.accepted);
    }
    return send(404, '404 page not found');
  };

  function view(fn: DoubleFunction): DoubleFunction {
    const ready = !behaviour.neverReady && (polls.get(fn.name) ?? 0) >= (behaviour.readyAfterPolls ?? 0);
    return {
      ...fn,
      image: behaviour.imageOverride ?? fn.image,
      availableReplicas: ready ? fn.replicas : 0,
    };
  }

  function stored(body: Record<string, unknown>, existing: DoubleFunction | undefined): DoubleFunction {
    const { service, ...rest } = body;
    return {
      ...rest,
      name: String(service),
      image: String(body.image),
      namespace: typeof body.namespace === 'string' && body.namespace ? body.namespace : DEFAULT_NAMESPACE,
      replicas: existing?.replicas ?? 1,
      availableReplicas: 0,
      invocationCount: existing?.invocationCount ?? 0,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
  }

  function secret(method: string, namespace: string, body: Record<string, unknown> | undefined, send: Send) {
    if (method === 'GET') {
      return send(
        200,
        [...secrets.values()]
          .filter((s) => s.namespace === namespace)
          .map(({ name, namespace: ns }) => ({ name, namespace: ns })),
      );
    }
    const name = String(body?.name ?? '');
    const key = `${body?.namespace || DEFAULT_NAMESPACE}/${name}`;
    if (!name) return send(400, 'secret name is required');
    if (method === 'DELETE') {
      if (!secrets.delete(key)) return send(404, 'secret not found');
      return send(rules.accepted);
    }
    const exists = secrets.has(key);
    if (method === 'POST' && exists) return send(409, `secret ${name} already exists`);
    if (method === 'PUT' && !exists) return send(404, `secret ${name} not found`);
    if (method !== 'POST' && method !== 'PUT') return send(405, 'method not allowed');
    secrets.set(key, {
      name,
      namespace: String(body?.namespace || DEFAULT_NAMESPACE),
      value: String(body?.value ?? ''),
    });
    return send(rules.accepted);
  }

  function invoke(path: string, send: Send) {
    const name = path.split('/')[2] ?? '';
    const fn = functions.get(name);
    if (fn === undefined) return send(404, `error finding function ${name}`);
    fn.invocationCount = Number(fn.invocationCount ?? 0) + 1;
    return send(200, { function: name, image: fn.image });
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    provider: options.provider,
    requests,
    functions,
    secrets,
    behaviour,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

type Send = (status: number, body?: unknown, headers?: Record<string, string>) => void;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === 'authorization' ? '<redacted>' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
