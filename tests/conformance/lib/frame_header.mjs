// The header of the WebSocket frame at the start of `buffer` (RFC 6455 §5.2), or null while it
// is incomplete: { fin, rsv1, opcode, masked, length (payload), headerLength (mask included) }.
export function readFrameHeader(buffer) {
  if (buffer.length < 2) return null;
  let length = buffer[1] & 0x7f;
  let headerLength = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    headerLength = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    headerLength = 10;
  }
  const masked = (buffer[1] & 0x80) !== 0;
  if (masked) headerLength += 4;
  if (buffer.length < headerLength) return null;
  return {
    fin: (buffer[0] & 0x80) !== 0,
    rsv1: (buffer[0] & 0x40) !== 0,
    opcode: buffer[0] & 0x0f,
    masked,
    length,
    headerLength,
  };
}
