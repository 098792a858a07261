import { describe, expect, it } from 'vitest';
import { demuxDockerLogs } from './docker-logs';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demuxDockerLogs', () => {
  it('joins the payloads of stdout and stderr frames in order, without the headers', () => {
    const raw = Buffer.concat([
      frame(2, 'level=info msg="listening on [::]:5000"\n'),
      frame(1, 'out\n'),
      frame(2, 'fatal: open /certs/x.crt\n'),
    ]);
    expect(demuxDockerLogs(raw)).toBe(
      'level=info msg="listening on [::]:5000"\nout\nfatal: open /certs/x.crt\n',
    );
  });

  it('returns the text of a container with a TTY (no frames) as it is', () => {
    expect(demuxDockerLogs(Buffer.from('plain line\n'))).toBe('plain line\n');
  });

  it('returns an empty string for no logs', () => {
    expect(demuxDockerLogs(Buffer.alloc(0))).toBe('');
  });
});
