import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { HomefaasError } from '@homefaas/core';
import { formatDay } from '../common/format-day';

/** Where to read a served certificate. */
export interface ServedCertificateOptions {
  host: string;
  port: number;
  timeoutMs: number;
}

/**
 * The certificate (DER) a TLS server presents to a client that asks for `host` (SNI). Only the handshake is
 * made and nothing is sent: the bytes are compared with a file, so the handshake does not verify them
 * (whether clients trust the registry is checked separately, by the registry client, with our CA).
 */
export function readServedCertificate(options: ServedCertificateOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: options.host,
      port: options.port,
      // SNI carries names only.
      ...(isIP(options.host) ? {} : { servername: options.host }),
      rejectUnauthorized: false,
    });
    const fail = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new HomefaasError(
          'ERR_REGISTRY_TLS_HANDSHAKE',
          `No TLS handshake with ${options.host}:${options.port}: ${handshakeFailure(error)}`,
          { cause: error },
        ),
      );
    };
    const timer = setTimeout(
      () => fail(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      if (raw) resolve(raw);
      else
        reject(
          new HomefaasError(
            'ERR_REGISTRY_TLS_HANDSHAKE',
            `${options.host}:${options.port} presented no certificate.`,
          ),
        );
    });
    socket.once('error', fail);
  });
}

function handshakeFailure(error: NodeJS.ErrnoException): string {
  if (error.code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'it does not speak TLS on that port';
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  return error.code ?? error.message;
}

/**
 * Why the served certificate is not the file's (`shown` names the file), or `undefined` when they are the
 * same certificate. The registry reads its certificate only when it starts, so a renewed file is served only
 * after a restart.
 */
export function servedCertificateProblem(
  servedDer: Buffer,
  filePem: string,
  shown: string,
): string | undefined {
  const file = new X509Certificate(filePem);
  if (file.raw.equals(servedDer)) return undefined;
  return `it serves ${describe(new X509Certificate(servedDer))}, not ${shown} (${describe(file)})`;
}

function describe(certificate: X509Certificate): string {
  return `serial ${certificate.serialNumber.toLowerCase()}, valid until ${formatDay(new Date(certificate.validTo))}`;
}
