// A WebSocket client on a bare TCP socket for permessage-deflate tests: it sends the offer it is
// given, reads the upgrade answer, and keeps every frame the server sends with its RSV1 bit and
// wire size (inflating compressed ones with node:zlib, as a browser's zlib would). It sends
// frames byte for byte as asked (masked, RSV1 when told), so a test can send what no
// well-behaved client would: a deflate bomb, data that is not DEFLATE, RSV1 unnegotiated.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { readFrameHeader } from './frame_header.mjs';
import { waitFor } from './wait.mjs';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

// Raw DEFLATE of `text` as a browser sends it (RFC 7692 §7.2.1): sync flush, tail dropped.
export function deflateLikeABrowser(text) {
  const out = zlib.deflateRawSync(Buffer.from(text), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

export class DeflateSocket {
  // `offer`: the Sec-WebSocket-Extensions value to send (null: none); `headers`: more request
  // header lines ({name: value}).
  static async open(port, path, { offer = 'permessage-deflate; client_max_window_bits', headers = {} } = {}) {
    const client = new DeflateSocket();
    await client.connect(port, path, offer, headers);
    return client;
  }

  constructor() {
    this.frames = []; // { rsv1, opcode, wireLength, text }
    this.closeCode = undefined;
    this.ended = false;
    this.buffer = Buffer.alloc(0);
    this.head = null;
    this.listeners = new Set();
  }

  connect(port, path, offer, headers) {
    return new Promise((resolve, reject) => {
      this.socket = net.connect(port, '127.0.0.1', () => {
        const key = randomBytes(16).toString('base64');
        this.socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
            (offer ? `Sec-WebSocket-Extensions: ${offer}\r\n` : '') +
            Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
            '\r\n',
        );
      });
      const timer = setTimeout(() => reject(new Error('no upgrade answer in 5 s')), 5000);
      this.socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      this.socket.on('end', () => {
        this.ended = true;
        this.notify();
      });
      this.socket.on('close', () => {
        this.ended = true;
        this.notify();
      });
      this.socket.on('data', (chunk) => {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        if (this.head === null) {
          const end = this.buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          this.head = this.buffer.subarray(0, end).toString('latin1');
          this.buffer = this.buffer.subarray(end + 4);
          const line = this.head.split('\r\n').find((l) => /^sec-websocket-extensions:/i.test(l));
          this.extensions = line ? line.slice(line.indexOf(':') + 1).trim() : null;
          clearTimeout(timer);
          resolve();
        }
        this.parse();
      });
    });
  }

  parse() {
    for (;;) {
      const header = readFrameHeader(this.buffer);
      if (!header || this.buffer.length < header.headerLength + header.length) break;
      const payload = this.buffer.subarray(header.headerLength, header.headerLength + header.length);
      this.buffer = this.buffer.subarray(header.headerLength + header.length);
      if (header.opcode === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      } else {
        const body = header.rsv1 ? zlib.inflateRawSync(Buffer.concat([payload, TAIL])) : payload;
        this.frames.push({
          rsv1: header.rsv1,
          opcode: header.opcode,
          wireLength: header.length,
          text: body.toString('utf8'),
        });
      }
    }
    this.notify();
  }

  notify() {
    for (const listener of [...this.listeners]) listener();
  }

  // Resolves once `predicate()` holds; rejects after `ms`.
  until(what, predicate, ms = 5000) {
    return waitFor(
      what,
      (done) => {
        const check = () => {
          if (predicate()) {
            this.listeners.delete(check);
            done(true);
          }
        };
        this.listeners.add(check);
        check();
      },
      ms,
    ).catch((error) => {
      throw new Error(`${error.message}; frames ${JSON.stringify(this.events())}, close ${this.closeCode}`);
    });
  }

  events() {
    return this.frames.map((f) => {
      try {
        return JSON.parse(f.text).event;
      } catch {
        return f.text.slice(0, 40);
      }
    });
  }

  // The first frame whose JSON event is `event` (and channel, if given).
  async waitEvent(event, channel) {
    const find = () =>
      this.frames.find((f) => {
        try {
          const m = JSON.parse(f.text);
          return m.event === event && (channel === undefined || m.channel === channel);
        } catch {
          return false;
        }
      });
    await this.until(`${event}${channel ? ` on ${channel}` : ''}`, () => find() !== undefined);
    return find();
  }

  async waitClose(ms = 5000) {
    await this.until('a close frame', () => this.closeCode !== undefined || this.ended, ms);
    return this.closeCode;
  }

  // One frame: FIN set, masked, RSV1 when `rsv1`; `payload` a Buffer or string.
  sendFrame(payload, { opcode = 0x1, rsv1 = false } = {}) {
    const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    const mask = randomBytes(4);
    let header;
    if (data.length < 126) {
      header = Buffer.from([0x80 | (rsv1 ? 0x40 : 0) | opcode, 0x80 | data.length]);
    } else if (data.length <= 0xffff) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(data.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(data.length), 2);
    }
    const masked = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; ++i) masked[i] = data[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  // A text message compressed as a browser compresses it.
  sendCompressed(text) {
    this.sendFrame(deflateLikeABrowser(text), { rsv1: true });
  }

  destroy() {
    this.socket?.destroy();
  }
}
