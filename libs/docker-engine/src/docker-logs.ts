/**
 * The text of `GET /containers/{id}/logs` for a container without a TTY: Docker frames each chunk with an
 * 8-byte header (stream type, 3 zero bytes, big-endian length). A buffer that is not framed (a TTY
 * container) is returned as text unchanged. https://docs.docker.com/engine/api/v1.43/#tag/Container/operation/ContainerAttach
 */
export function demuxDockerLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const framed =
      offset + 8 <= raw.length &&
      (raw[offset] === 0 || raw[offset] === 1 || raw[offset] === 2) &&
      raw[offset + 1] === 0 &&
      raw[offset + 2] === 0 &&
      raw[offset + 3] === 0;
    if (!framed)
      return offset === 0
        ? raw.toString('utf8')
        : Buffer.concat([...parts, raw.subarray(offset)]).toString('utf8');
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
