import { HomefaasError } from '@homefaas/core';
import { assertDigest, isDigest, sha256Digest } from './digest';
import { MANIFEST_ACCEPT, platformsOf } from './media-types';
import { registryErrorCodes, unexpectedStatus } from './status-errors';
import { createTransport, type RegistryResponse } from './transport';
import type {
  ManifestHead,
  ManifestResult,
  PingResult,
  RegistryClient,
  RegistryClientOptions,
} from './types';

// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MAX_PAGES = 1000;

/**
 * A client of one registry over HTTPS that trusts the system roots plus the given CA (verification is never
 * turned off), with Basic auth or the bearer-token flow as the registry asks. Errors are HomefaasErrors
 * with codes ERR_REGISTRY_{DNS,REFUSED,UNTRUSTED,HOSTNAME,EXPIRED,TIMEOUT,AUTH,NOT_FOUND,DIGEST,HTTP}.
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const transport = createTransport(options);
  const v2 = `${transport.baseUrl}/v2`;

  async function ping(): Promise<PingResult> {
    const request = { method: 'GET' as const, url: `${v2}/` };
    const anonymous = await transport.sendAnonymous(request);
    if (anonymous.status === 200) return { status: 200, authRequired: false, authenticated: false };
    if (anonymous.status !== 401) throw unexpectedStatus(anonymous, 'checking the registry API version 2');
    const challenge = anonymous.headers.get('www-authenticate') ?? undefined;
    const unauthenticated = { status: 401, authRequired: true, authenticated: false, challenge };
    if (!transport.auth) return unauthenticated;
    const answer = await transport.authenticate(request, anonymous);
    if (answer.status !== 200) throw unexpectedStatus(answer, 'checking the registry API version 2');
    return { status: 200, authRequired: true, authenticated: true, challenge };
  }

  async function paginate(firstUrl: string, scope: string, key: 'repositories' | 'tags', doing: string) {
    const items: string[] = [];
    let url: string | undefined = firstUrl;
    for (let page = 0; url !== undefined && page < MAX_PAGES; page += 1) {
      const response = await transport.send({ method: 'GET', url, scope });
      if (response.status !== 200) return { response, items };
      const list = parseJson(response, doing) as Record<string, unknown>;
      const values = list[key];
      if (Array.isArray(values))
        items.push(...values.filter((value): value is string => typeof value === 'string'));
      url = nextPage(response);
    }
    return { response: undefined, items };
  }

  async function catalog(): Promise<string[]> {
    const doing = 'listing repositories';
    const { response, items } = await paginate(`${v2}/_catalog`, 'registry:catalog:*', 'repositories', doing);
    if (response) throw unexpectedStatus(response, doing);
    return items;
  }

  async function tags(repository: string): Promise<string[]> {
    assertRepository(repository);
    const doing = `listing the tags of ${repository}`;
    const { response, items } = await paginate(
      `${v2}/${repository}/tags/list`,
      pullScope(repository),
      'tags',
      doing,
    );
    if (response && (response.status === 404 || registryErrorCodes(response).includes('NAME_UNKNOWN')))
      return [];
    if (response) throw unexpectedStatus(response, doing);
    return items;
  }

  async function headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    assertRepository(repository);
    assertReference(reference);
    const url = manifestUrl(repository, reference);
    const response = await transport.send({
      method: 'HEAD',
      url,
      headers: { accept: MANIFEST_ACCEPT },
      scope: pullScope(repository),
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw unexpectedStatus(response, `looking up ${repository}:${reference}`);
    const header = response.headers.get('docker-content-digest');
    // Without the header a tag's digest can only be known from the bytes.
    const digest =
      header ?? (isDigest(reference) ? reference : (await getManifest(repository, reference)).digest);
    return {
      digest,
      mediaType: mediaTypeOf(response),
      size: Number(response.headers.get('content-length') ?? 0),
    };
  }

  async function getManifest(repository: string, reference: string): Promise<ManifestResult> {
    assertRepository(repository);
    assertReference(reference);
    const url = manifestUrl(repository, reference);
    const response = await transport.send({
      method: 'GET',
      url,
      headers: { accept: MANIFEST_ACCEPT },
      scope: pullScope(repository),
    });
    if (response.status !== 200) throw unexpectedStatus(response, `fetching ${repository}:${reference}`);
    const where = `GET ${url}`;
    const header = response.headers.get('docker-content-digest');
    if (header) assertDigest(response.body, header, where);
    if (isDigest(reference)) assertDigest(response.body, reference, where);
    const manifest = parseJson(response, `fetching ${repository}:${reference}`);
    const declared = (manifest as { mediaType?: unknown } | null)?.mediaType;
    return {
      digest: header ?? (isDigest(reference) ? reference : sha256Digest(response.body)),
      mediaType: mediaTypeOf(response) || (typeof declared === 'string' ? declared : ''),
      manifest,
      raw: response.body.toString('utf8'),
    };
  }

  async function putManifest(repository: string, reference: string, body: string, mediaType: string) {
    assertRepository(repository);
    assertReference(reference);
    const url = manifestUrl(repository, reference);
    const response = await transport.send({
      method: 'PUT',
      url,
      headers: { 'content-type': mediaType },
      body,
      scope: pushScope(repository),
    });
    if (response.status !== 201)
      throw unexpectedStatus(response, `storing the manifest ${repository}:${reference}`);
    const bytes = Buffer.from(body, 'utf8');
    const header = response.headers.get('docker-content-digest');
    if (header) assertDigest(bytes, header, `PUT ${url}`);
    return { digest: header ?? sha256Digest(bytes) };
  }

  async function uploadBlob(repository: string, data: Uint8Array | string): Promise<string> {
    assertRepository(repository);
    const digest = sha256Digest(data);
    const scope = pushScope(repository);
    const existing = await transport.send({
      method: 'HEAD',
      url: `${v2}/${repository}/blobs/${digest}`,
      scope,
    });
    if (existing.status === 200) return digest;
    const start = await transport.send({ method: 'POST', url: `${v2}/${repository}/blobs/uploads/`, scope });
    const location = start.headers.get('location');
    if (start.status !== 202 || !location)
      throw unexpectedStatus(start, `starting an upload to ${repository}`);
    const target = new URL(location, `${v2}/`);
    target.searchParams.set('digest', digest);
    const done = await transport.send({
      method: 'PUT',
      url: target.toString(),
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
      scope,
    });
    if (done.status !== 201) throw unexpectedStatus(done, `uploading ${digest} to ${repository}`);
    const stored = done.headers.get('docker-content-digest');
    if (stored && stored !== digest) {
      throw new HomefaasError(
        'ERR_REGISTRY_DIGEST',
        `The registry stored ${repository}@${stored} for a blob whose digest is ${digest}.`,
        {
          hint: 'The upload was damaged in transit: try again, then check the registry.',
        },
      );
    }
    return digest;
  }

  async function mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    assertRepository(repository);
    assertRepository(from);
    if (!isDigest(digest)) throw new HomefaasError('ERR_REGISTRY_DIGEST', `${digest} is not a digest.`);
    const query = new URLSearchParams({ mount: digest, from });
    const scope = pushScope(repository);
    const response = await transport.send({
      method: 'POST',
      url: `${v2}/${repository}/blobs/uploads/?${query}`,
      scope,
    });
    if (response.status === 201) return true;
    const location = response.headers.get('location');
    if (response.status !== 202 || !location) {
      throw unexpectedStatus(response, `mounting ${digest} from ${from} into ${repository}`);
    }
    // The registry started an upload instead: cancel it rather than leave it open.
    await transport.send({ method: 'DELETE', url: new URL(location, `${v2}/`).toString(), scope });
    return false;
  }

  function manifestUrl(repository: string, reference: string): string {
    return `${v2}/${repository}/manifests/${reference}`;
  }

  return {
    ping,
    catalog,
    tags,
    headManifest,
    getManifest,
    putManifest,
    uploadBlob,
    mountBlob,
    platformsOf,
    close: transport.close,
  };
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

function mediaTypeOf(response: RegistryResponse): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
}

function parseJson(response: RegistryResponse, doing: string): unknown {
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new HomefaasError(
      'ERR_REGISTRY_HTTP',
      `Registry answered ${response.method} ${response.url} with a body that is not JSON while ${doing}.`,
      {
        hint: 'Check that the URL points at a Docker/OCI registry.',
        cause: error,
      },
    );
  }
}

// RFC 5988 `Link: </v2/_catalog?last=x&n=100>; rel="next"`.
function nextPage(response: RegistryResponse): string | undefined {
  const link = response.headers.get('link')?.match(/<([^>]+)>\s*;\s*rel="?next"?/);
  return link?.[1] ? new URL(link[1], response.url).toString() : undefined;
}

function assertRepository(repository: string): void {
  if (!REPOSITORY.test(repository)) {
    throw new HomefaasError('ERR_REGISTRY_NAME', `"${repository}" is not a valid repository name.`, {
      hint: 'Use lower-case letters, digits and separators (. _ __ -), path parts joined by /, e.g. homefaas/hello.',
    });
  }
}

function assertReference(reference: string): void {
  if (!TAG.test(reference) && !isDigest(reference)) {
    throw new HomefaasError('ERR_REGISTRY_NAME', `"${reference}" is neither a tag nor a digest.`, {
      hint: 'Use a tag such as latest or 1.0.0 (up to 128 of A-Z a-z 0-9 _ . -), or sha256:<64 hex>.',
    });
  }
}
