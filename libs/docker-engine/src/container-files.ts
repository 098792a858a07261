import type { Readable } from 'node:stream';

// tar-stream is loaded on first use, like dockerode: a run that copies nothing into a container never pays for it.

/**
 * A tar archive holding one text file at `path` (relative, e.g. `usr/local/share/x.crt`), with an entry for
 * each parent folder first so that `PUT /containers/{id}/archive` at `/` creates missing folders.
 */
export async function tarOfFile(path: string, content: string, mode = 0o644): Promise<Buffer> {
  const { pack } = await import('tar-stream');
  const archive = pack();
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    archive.entry({ name: `${parts.slice(0, i).join('/')}/`, type: 'directory', mode: 0o755 });
  }
  archive.entry({ name: path, mode }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The text of each regular file in a tar stream (`GET /containers/{id}/archive`), by its name in the archive. */
export async function untarTexts(stream: Readable): Promise<Map<string, string>> {
  const { extract } = await import('tar-stream');
  return new Promise((resolve, reject) => {
    const files = new Map<string, string>();
    const reader = extract();
    reader.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      body.on('end', () => {
        if (header.type === 'file') files.set(header.name, Buffer.concat(chunks).toString('utf8'));
        next();
      });
      body.resume();
    });
    reader.on('finish', () => resolve(files));
    reader.on('error', reject);
    stream.on('error', reject);
    stream.pipe(reader);
  });
}
