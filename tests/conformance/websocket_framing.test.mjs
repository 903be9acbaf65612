// RFC 6455 at the byte level, with a hand-rolled client on a bare TCP socket so the test decides
// every bit: the opening handshake (101, 400, 426), frames pipelined behind the upgrade request,
// ping/pong and close echo, and each way a client can break the protocol, which must end that
// connection with the right close code (1002, 1007, 1009) and leave a bystander untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { closeAllClients, connect } from './lib/raw_ws.mjs';
import { trigger } from './lib/http_api.mjs';
import { sleep } from './lib/wait.mjs';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='; // RFC 6455 §1.3
let gw;
let bystander;
let seq = 0;

before(async () => {
  gw = await startGateway({ config: { max_message_kb: 16 } });
  bystander = await connect(gw.wsUrl());
  await bystander.subscribe('framing-bystander');
});
after(async () => {
  closeAllClients();
  await gw?.stop();
});

// Polls `predicate` until it holds; fails after `ms`.
async function until(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

function upgradeRequest({ version = '13', key = KEY } = {}) {
  return (
    `GET /app/${TEST_APP.key}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
    (key === null ? '' : `Sec-WebSocket-Key: ${key}\r\n`) +
    `Sec-WebSocket-Version: ${version}\r\n\r\n`
  );
}

// A client frame: masked unless told otherwise, final unless told otherwise.
function frame(opcode, payload, { fin = true, mask = true, rsv = 0, length } = {}) {
  const body = Buffer.from(payload);
  const size = length ?? body.length;
  let head;
  if (size < 126) {
    head = Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, (mask ? 0x80 : 0) | size]);
  } else if (size <= 0xffff) {
    head = Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, (mask ? 0x80 : 0) | 126, size >> 8, size & 0xff]);
  } else {
    head = Buffer.alloc(10);
    head[0] = (fin ? 0x80 : 0) | rsv | opcode;
    head[1] = (mask ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(BigInt(size), 2);
  }
  if (!mask) return Buffer.concat([head, body]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(body.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([head, key, masked]);
}
const text = (s, options) => frame(0x1, s, options);

// The server side of one connection as bytes arrive: the HTTP head, then unmasked frames.
class ByteClient {
  constructor(port) {
    this.buffer = Buffer.alloc(0);
    this.head = undefined;
    this.frames = [];
    this.ended = false;
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    this.socket.on('end', () => {
      this.ended = true;
    });
    this.socket.on('close', () => {
      this.ended = true;
    });
    this.socket.on('error', () => {});
    this.connected = new Promise((resolve) => this.socket.once('connect', resolve));
  }

  parse() {
    if (this.head === undefined) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.head = this.buffer.subarray(0, end + 4).toString();
      this.buffer = this.buffer.subarray(end + 4);
    }
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      assert.equal(this.buffer[1] & 0x80, 0, 'server frames are never masked');
      let size = this.buffer[1] & 0x7f;
      let offset = 2;
      if (size === 126) {
        if (this.buffer.length < 4) return;
        size = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (size === 127) {
        if (this.buffer.length < 10) return;
        size = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + size) return;
      const payload = this.buffer.subarray(offset, offset + size);
      this.frames.push({ opcode, payload: Buffer.from(payload), text: payload.toString() });
      this.buffer = this.buffer.subarray(offset + size);
    }
  }

  async write(...chunks) {
    await this.connected;
    this.socket.write(Buffer.concat(chunks.map((c) => Buffer.from(c))));
  }

  async open() {
    await this.write(upgradeRequest());
    await until(() => this.events().includes('pusher:connection_established'), 'established');
  }

  events() {
    return this.frames
      .filter((f) => f.opcode === 1)
      .map((f) => {
        try {
          return JSON.parse(f.text).event;
        } catch {
          return f.text;
        }
      });
  }

  async closeFrame() {
    await until(() => this.frames.some((f) => f.opcode === 8), 'a close frame');
    const close = this.frames.find((f) => f.opcode === 8);
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
  }

  destroy() {
    this.socket.destroy();
  }
}

async function bystanderStillServed() {
  const tag = `framing-${++seq}`;
  const res = await trigger(gw, { name: 'alive', channels: ['framing-bystander'], data: tag });
  assert.equal(res.status, 200);
  await bystander.waitEvent('alive', { where: (m) => m.dataRaw === tag });
}

describe('opening handshake', () => {
  it('answers 101 with the RFC accept key and a Server header', async () => {
    const c = new ByteClient(gw.port);
    await c.open();
    assert.match(c.head, /^HTTP\/1\.1 101 /);
    assert.match(c.head, new RegExp(`\r\nSec-WebSocket-Accept: ${ACCEPT.replace(/[+/]/g, '\\$&')}\r\n`));
    assert.match(c.head, /\r\nUpgrade: websocket\r\n/i);
    assert.match(c.head, /\r\nServer: realtime-gateway\r\n/);
    c.destroy();
  });

  it('a version other than 13 gets 426 naming version 13', async () => {
    const c = new ByteClient(gw.port);
    await c.write(upgradeRequest({ version: '8' }));
    await until(() => c.head !== undefined, 'a response');
    assert.match(c.head, /^HTTP\/1\.1 426 /);
    assert.match(c.head, /\r\nSec-WebSocket-Version: 13\r\n/i);
    c.destroy();
  });

  it('a missing or malformed Sec-WebSocket-Key gets 400', async () => {
    for (const key of [null, 'not-a-key']) {
      const c = new ByteClient(gw.port);
      await c.write(upgradeRequest({ key }));
      await until(() => c.head !== undefined, 'a response');
      assert.match(c.head, /^HTTP\/1\.1 400 /, `key ${key}`);
      c.destroy();
    }
  });

  it('frames sent in the same write as the upgrade request are read', async () => {
    const c = new ByteClient(gw.port);
    const subscribe = JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'pipelined' } });
    await c.write(upgradeRequest(), text(subscribe), text('{"event":"pusher:ping","data":{}}'));
    await until(() => c.events().includes('pusher:pong'), 'pong');
    assert.deepEqual(c.events(), [
      'pusher:connection_established',
      'pusher_internal:subscription_succeeded',
      'pusher:pong',
    ]);
    c.destroy();
  });
});

describe('control frames', () => {
  it('a ping is answered with a pong carrying the same payload', async () => {
    const c = new ByteClient(gw.port);
    await c.open();
    await c.write(frame(0x9, 'are you there'));
    await until(() => c.frames.some((f) => f.opcode === 0xa), 'pong');
    assert.equal(c.frames.find((f) => f.opcode === 0xa).text, 'are you there');
    c.destroy();
  });

  it('a close from the client is echoed with its code, then the server ends the stream', async () => {
    const c = new ByteClient(gw.port);
    await c.open();
    const payload = Buffer.concat([Buffer.from([0x10, 0xe1]), Buffer.from('leaving')]); // 4321
    await c.write(frame(0x8, payload));
    assert.equal(await c.closeFrame(), 4321);
    await until(() => c.ended, 'the server to end the TCP stream');
  });

  it('fragments with a ping between them are reassembled', async () => {
    const c = new ByteClient(gw.port);
    await c.open();
    const ping = '{"event":"pusher:ping","data":{}}';
    await c.write(text(ping.slice(0, 10), { fin: false }), frame(0x9, 'x'),
      frame(0x0, ping.slice(10, 20), { fin: false }), frame(0x0, ping.slice(20)));
    await until(() => c.events().includes('pusher:pong'), 'pong');
    assert.ok(c.frames.some((f) => f.opcode === 0xa));
    c.destroy();
  });
});

describe('protocol violations close that connection only, with the RFC code', () => {
  const cases = [
    ['an unmasked frame', () => text('{"event":"pusher:ping"}', { mask: false }), 1002],
    ['a reserved bit without an extension', () => text('{}', { rsv: 0x40 }), 1002],
    ['a reserved opcode', () => frame(0x3, 'x'), 1002],
    ['a continuation with nothing to continue', () => frame(0x0, 'x'), 1002],
    ['a fragmented ping', () => frame(0x9, 'x', { fin: false }), 1002],
    ['a close code that may not be sent (1005)', () => frame(0x8, Buffer.from([0x03, 0xed])), 1002],
    ['text that is not UTF-8', () => text(Buffer.from([0x7b, 0xc0, 0xaf, 0x7d])), 1007],
    // Only the header: the server refuses from the announced length, before any payload.
    ['a header announcing 1 MiB (limit 16 KiB)', () => text('', { length: 1 << 20 }).subarray(0, 10), 1009],
    ['fragments adding up past the limit', () =>
      Buffer.concat([0, 1, 2, 3].map((i) => frame(i === 0 ? 1 : 0, 'z'.repeat(5000), { fin: i === 3 }))), 1009],
  ];
  for (const [name, bytes, code] of cases) {
    it(`${name} -> ${code}`, async () => {
      const c = new ByteClient(gw.port);
      await c.open();
      await c.write(bytes());
      assert.equal(await c.closeFrame(), code);
      await until(() => c.ended, 'the server to end the TCP stream');
      c.destroy();
      await bystanderStillServed();
    });
  }
});
