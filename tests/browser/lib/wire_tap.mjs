// A TCP relay between a client and the gateway that reads the WebSocket traffic it passes on:
// the upgrade request and answer (the extension offered and the one agreed) and the header of
// every frame either way (FIN, RSV1, opcode, payload length), with the bytes counted. The bytes
// pass unchanged, so the browser and the gateway talk as they would directly; the test learns
// what crossed the wire (were frames compressed, how large), which neither the browser's
// WebSocket API nor DevTools shows.
import net from 'node:net';
import { readFrameHeader } from '../../conformance/lib/frame_header.mjs';

// One direction of one connection: an HTTP head, then frames.
class Direction {
  constructor() {
    this.head = null;
    this.headText = '';
    this.frames = []; // { fin, rsv1, opcode, length }
    this.frameBytes = 0; // every byte after the head
    this.pending = Buffer.alloc(0);
  }

  header(name) {
    const line = (this.head ?? '')
      .split('\r\n')
      .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line ? line.slice(line.indexOf(':') + 1).trim() : null;
  }

  feed(chunk) {
    let data = chunk;
    if (this.head === null) {
      this.headText += data.toString('latin1');
      const end = this.headText.indexOf('\r\n\r\n');
      if (end < 0) return;
      data = Buffer.from(this.headText.slice(end + 4), 'latin1');
      this.head = this.headText.slice(0, end);
    }
    this.frameBytes += data.length;
    this.pending = Buffer.concat([this.pending, data]);
    for (;;) {
      const header = readFrameHeader(this.pending);
      if (!header || this.pending.length < header.headerLength + header.length) return;
      const { fin, rsv1, opcode, length } = header;
      this.frames.push({ fin, rsv1, opcode, length });
      this.pending = this.pending.subarray(header.headerLength + header.length);
    }
  }

  // Data frames that start a message (text, opcode 1), compressed or not.
  textFrames() {
    return this.frames.filter((f) => f.opcode === 1);
  }
}

// Listens on 127.0.0.1 (free port) and relays each connection to 127.0.0.1:`targetPort`.
// Resolves to { port, taps, close() }; taps[i] = { client, server } (Direction each; the offer is
// taps[i].client.header('sec-websocket-extensions'), the answer the same on .server), in accept
// order.
export async function startWireTap(targetPort) {
  const taps = [];
  const sockets = new Set();
  const server = net.createServer((client) => {
    const tap = { client: new Direction(), server: new Direction() };
    taps.push(tap);
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('data', (chunk) => {
      tap.client.feed(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      tap.server.feed(chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    taps,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
