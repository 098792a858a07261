import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/**
 * The TLS context that trusts the public roots and our CA (PEM), one per CA for the whole process. Building
 * one parses every public root (some 45 ms here), which a client would otherwise repeat on each new
 * connection. The CA is added to the roots, not swapped for them, so a registry or gateway behind a public
 * certificate keeps working.
 */
export function secureContextFor(ca: string): SecureContext {
  let context = contexts.get(ca);
  if (context === undefined) {
    context = createSecureContext({ ca: [...rootCertificates, ca] });
    contexts.set(ca, context);
  }
  return context;
}
