/** The path and raw query string of a request, as the client sent them. */
export interface RequestTarget {
  /** The path without query string or fragment, not normalised: `//a/../b` stays `//a/../b`. */
  readonly path: string;
  /** The query string without its `?`; empty when there is none. */
  readonly query: string;
}

const ABSOLUTE_FORM = /^[a-z][a-z\d+.-]*:\/\//i;

/**
 * Splits a request target (`req.url`) into path and query. The usual origin form (`/items/7?a=1`) is cut
 * at `?` and `#`, never resolved as a URL: `new URL('//evil.com/echo', base)` reads a host out of a path
 * that starts with `//`. The absolute form a proxy may send (`http://host/items/7?a=1`) gives its path.
 * @see https://www.rfc-editor.org/rfc/rfc9112#name-request-target
 */
export function splitRequestTarget(url: string): RequestTarget {
  if (url.charCodeAt(0) !== 0x2f && ABSOLUTE_FORM.test(url)) {
    try {
      const parsed = new URL(url);
      return { path: parsed.pathname, query: parsed.search.slice(1) };
    } catch {
      // Not a URL after all: taken as it came, below.
    }
  }
  const hash = url.indexOf('#');
  const end = hash === -1 ? url.length : hash;
  const mark = url.indexOf('?');
  return mark === -1 || mark > end
    ? { path: url.slice(0, end), query: '' }
    : { path: url.slice(0, mark), query: url.slice(mark + 1, end) };
}
