import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { tarOfFile, untarTexts } from './container-files';

/** Every entry of a tar archive: name, type and mode, as tar-stream reads them. */
async function entries(
  archive: Buffer,
): Promise<Array<{ name: string; type?: string | null; mode?: number }>> {
  const found: Array<{ name: string; type?: string | null; mode?: number }> = [];
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, body, next) => {
      found.push({ name: header.name, type: header.type, mode: header.mode });
      body.on('end', next);
      body.resume();
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.end(archive);
  await done;
  return found;
}

describe('container files', () => {
  it('tars one file after an entry for each parent folder, so a copy at / creates them', async () => {
    const archive = await tarOfFile('usr/local/share/ca.crt', 'PEM\n');
    expect(await entries(archive)).toEqual([
      { name: 'usr/', type: 'directory', mode: 0o755 },
      { name: 'usr/local/', type: 'directory', mode: 0o755 },
      { name: 'usr/local/share/', type: 'directory', mode: 0o755 },
      { name: 'usr/local/share/ca.crt', type: 'file', mode: 0o644 },
    ]);
  });

  it('reads back the text of each file, and only files', async () => {
    const archive = await tarOfFile('etc/ssl/bundle.crt', 'line 1\nline 2\n', 0o600);
    expect([...(await untarTexts(Readable.from([archive])))]).toEqual([
      ['etc/ssl/bundle.crt', 'line 1\nline 2\n'],
    ]);
  });

  it('fails on a stream that is not a tar archive', async () => {
    await expect(untarTexts(Readable.from([Buffer.from('not a tar archive'.repeat(40))]))).rejects.toThrow();
  });
});
