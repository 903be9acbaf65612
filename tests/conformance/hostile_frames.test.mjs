// Hostile WebSocket input: malformed JSON and envelopes, binary and non-UTF-8 frames, oversized
// messages and payloads (1009), deep nesting, connection churn and half-open TCP. After each, the same
// connection (where it is meant to survive) and a bystander connection must still work: a public
// subscribe plus an HTTP API trigger that both receive.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { channelAuth, closeAllClients, connect, RawClient } from './lib/raw_ws.mjs';
import { apiGet, trigger } from './lib/http_api.mjs';
import { sleep } from './lib/wait.mjs';

const APP = { ...TEST_APP, max_event_payload_kb: 1 };
const PRIVATE = 'private-hostile';
let gw;
let bystander;
let seq = 0;
const fresh = (prefix = 'probe') => `${prefix}-${++seq}`;

before(async () => {
  gw = await startGateway({ apps: [APP], config: { max_message_kb: 16 } });
  bystander = await connect(gw.wsUrl());
  await bystander.subscribe('bystander');
  await bystander.subscribe(PRIVATE, { auth: channelAuth(bystander.socketId, PRIVATE) });
});
after(async () => {
  closeAllClients();
  await gw?.stop();
});

// Proves the gateway still serves: `attacker` (if given and meant to survive) subscribes to a
// fresh public channel, one HTTP trigger goes to it and to the bystander's channel, and both
// receive it.
async function proveAlive(attacker) {
  assert.equal(bystander.isOpen, true, `bystander closed: ${JSON.stringify(bystander.closeInfo)}`);
  const channels = ['bystander'];
  if (attacker) {
    assert.equal(attacker.isOpen, true, `connection closed: ${JSON.stringify(attacker.closeInfo)}`);
    const probe = fresh();
    await attacker.subscribe(probe);
    channels.push(probe);
  }
  const tag = `alive-${++seq}`;
  const res = await trigger(gw, { name: 'alive', channels, data: tag });
  assert.equal(res.status, 200, `trigger after hostile input: ${res.status} ${res.text}`);
  await bystander.waitEvent('alive', { channel: 'bystander', where: (m) => m.dataRaw === tag });
  if (attacker) {
    await attacker.waitEvent('alive', { channel: channels[1], where: (m) => m.dataRaw === tag });
  }
}

// A fresh connection sends `payload` (text unless options say otherwise) and must get a
// pusher:error (with `code` unless code is undefined), stay open and keep working.
async function expectErrorAndSurvive(payload, { code = null, options = {}, setup } = {}) {
  const attacker = await connect(gw.wsUrl());
  if (setup) await setup(attacker);
  attacker.sendRaw(payload, options);
  const err = await attacker.waitEvent('pusher:error');
  assert.equal(typeof err.json.data, 'object', `pusher:error data: ${err.raw}`);
  if (code !== undefined) assert.equal(err.json.data.code, code, `pusher:error code: ${err.raw}`);
  assert.equal(typeof err.json.data.message, 'string', err.raw);
  await proveAlive(attacker);
  attacker.terminate();
  return err;
}

describe('malformed JSON and envelopes -> pusher:error (code null), connection open', () => {
  it('invalid JSON', async () => {
    await expectErrorAndSurvive('{"event": "pusher:ping", ');
  });

  it('JSON array', async () => {
    await expectErrorAndSurvive('[{"event":"pusher:ping","data":{}}]');
  });

  it('JSON number', async () => {
    await expectErrorAndSurvive('42');
  });

  it('JSON string', async () => {
    await expectErrorAndSurvive('"pusher:ping"');
  });

  it('JSON null', async () => {
    await expectErrorAndSurvive('null');
  });

  it('missing event', async () => {
    await expectErrorAndSurvive(JSON.stringify({ data: { channel: 'x' } }));
  });

  it('event not a string', async () => {
    await expectErrorAndSurvive(JSON.stringify({ event: 42, data: {} }));
    await expectErrorAndSurvive(JSON.stringify({ event: ['pusher:ping'], data: {} }));
  });

  it('pusher:subscribe with data a number', async () => {
    await expectErrorAndSurvive(JSON.stringify({ event: 'pusher:subscribe', data: 42 }));
  });

  it('pusher:subscribe with data an array', async () => {
    await expectErrorAndSurvive(JSON.stringify({ event: 'pusher:subscribe', data: ['bystander'] }));
  });

  it('pusher:subscribe with channel not a string', async () => {
    await expectErrorAndSurvive(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 42 } }));
    await expectErrorAndSurvive(
      JSON.stringify({ event: 'pusher:subscribe', data: { channel: { name: 'x' } } }),
    );
  });

  it('unknown pusher:foo event', async () => {
    await expectErrorAndSurvive(JSON.stringify({ event: 'pusher:foo', data: {} }));
  });

  it('non-client event name from a client is rejected and not delivered', async () => {
    // The sender is subscribed to the bystander's channel, so only the name stops delivery.
    const setup = (attacker) => attacker.subscribe('bystander');
    await expectErrorAndSurvive(
      JSON.stringify({ event: 'my-event', channel: 'bystander', data: 'spoof' }),
      { setup },
    );
    await expectErrorAndSurvive(
      JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel: 'bystander', data: '{}' }),
      { setup },
    );
    await sleep(200);
    assert.deepEqual(
      bystander.messages.filter((m) => m.event === 'my-event').map((m) => m.raw),
      [],
      'a non-client event from a client reached another subscriber',
    );
    assert.equal(
      bystander.messages.filter(
        (m) => m.event === 'pusher_internal:subscription_succeeded' && m.channel === 'bystander',
      ).length,
      1,
      'a spoofed pusher_internal event reached another subscriber',
    );
  });
});

describe('frame-level hostility', () => {
  it('binary frame -> pusher:error, content not acted on', async () => {
    const channel = fresh('binary');
    const attacker = await connect(gw.wsUrl());
    attacker.sendRaw(Buffer.from(JSON.stringify({ event: 'pusher:subscribe', data: { channel } })), {
      binary: true,
    });
    const err = await attacker.waitEvent('pusher:error');
    assert.equal(typeof err.json.data, 'object', err.raw);
    await sleep(100);
    assert.equal(
      attacker.messages.filter((m) => m.channel === channel).length,
      0,
      `binary frame was processed: ${JSON.stringify(attacker.events())}`,
    );
    await proveAlive(attacker);
    attacker.terminate();
  });

  it('text message over max_message_kb (64 KB vs 16 KB) -> close 1009 on that connection only', async () => {
    const attacker = await connect(gw.wsUrl());
    const tag = `big-${++seq}`;
    attacker.send({ event: 'client-big', channel: PRIVATE, data: tag + 'x'.repeat(64 * 1024) });
    const close = await attacker.waitClose(5000);
    assert.equal(close.code, 1009, `close for an oversized message: ${JSON.stringify(close)}`);
    await proveAlive();
    assert.equal(bystander.messages.filter((m) => m.event === 'client-big').length, 0);
  });

  it('a fragmented text message under the limit is reassembled (control)', async () => {
    const attacker = await connect(gw.wsUrl());
    const ping = JSON.stringify({ event: 'pusher:ping', data: {} });
    attacker.ws.send(ping.slice(0, 5), { fin: false });
    attacker.ws.send(ping.slice(5, 12), { fin: false });
    attacker.ws.send(ping.slice(12), { fin: true });
    await attacker.waitEvent('pusher:pong');
    await proveAlive(attacker);
    attacker.terminate();
  });

  it('a fragmented text message over max_message_kb (5 x 5000 B) -> close 1009 on that connection only', async () => {
    const attacker = await connect(gw.wsUrl());
    for (let i = 0; i < 5; i += 1) attacker.ws.send('y'.repeat(5000), { fin: i === 4 });
    const close = await attacker.waitClose(5000);
    assert.equal(close.code, 1009, `close for an oversized message: ${JSON.stringify(close)}`);
    await proveAlive();
  });

  it('a burst of 1000 pusher:ping messages is answered 1000 times; bystander unaffected', async () => {
    const attacker = await connect(gw.wsUrl());
    for (let i = 0; i < 1000; i += 1) attacker.send({ event: 'pusher:ping', data: {} });
    const deadline = Date.now() + 5000;
    while (attacker.pending('pusher:pong').length < 1000 && Date.now() < deadline) await sleep(20);
    assert.equal(attacker.pending('pusher:pong').length, 1000);
    for (const m of attacker.pending('pusher:pong')) m.consumed = true;
    await proveAlive(attacker);
    attacker.terminate();
  });

  it('client event data over max_event_payload_kb (1) -> pusher:error, not delivered', async () => {
    const attacker = await connect(gw.wsUrl());
    await attacker.subscribe(PRIVATE, { auth: channelAuth(attacker.socketId, PRIVATE) });
    attacker.send({ event: 'client-small', channel: PRIVATE, data: { n: 1 } });
    const small = await bystander.waitEvent('client-small', { channel: PRIVATE });
    assert.deepEqual(small.json.data, { n: 1 }, 'control: a small client event is forwarded');

    attacker.send({ event: 'client-huge', channel: PRIVATE, data: { blob: 'y'.repeat(2048) } });
    const err = await attacker.waitEvent('pusher:error');
    assert.equal(typeof err.json.data, 'object', err.raw);
    await sleep(300);
    assert.equal(
      bystander.messages.filter((m) => m.event === 'client-huge').length,
      0,
      'oversized client event was delivered',
    );
    await proveAlive(attacker);
    attacker.terminate();
  });

  it('deeply nested JSON: 10000 unclosed "["', async () => {
    await expectErrorAndSurvive('['.repeat(10000));
  });

  it('deeply nested JSON: 7000 balanced "[...]" (under max_message_kb)', async () => {
    await expectErrorAndSurvive('['.repeat(7000) + ']'.repeat(7000));
  });

  it('deeply nested JSON inside a valid pusher:subscribe', async () => {
    const nested = '{"a":'.repeat(2000) + '1' + '}'.repeat(2000); // 12 KB, under the limit
    await expectErrorAndSurvive(
      `{"event":"pusher:subscribe","data":{"channel":"deep","auth":${nested}}}`,
    );
  });

  it('invalid UTF-8 in a text frame -> close 1007; bystander unaffected', async () => {
    const attacker = await connect(gw.wsUrl());
    attacker.sendRaw(Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), {
      binary: false,
    });
    const close = await attacker.waitClose(5000);
    assert.equal(close.code, 1007, `close after invalid UTF-8: ${JSON.stringify(close)}`);
    await proveAlive();
  });
});

describe('connection churn and half-open sockets', () => {
  it('200 rapid connect/close cycles, then /up answers and nothing leaks', async () => {
    let established = 0;
    const cycle = async (i) => {
      const c = new RawClient(gw.wsUrl());
      switch (i % 4) {
        case 0: // abort during the handshake
          c.terminate();
          break;
        case 1: // drop right after the upgrade
          await c.opened;
          c.terminate();
          break;
        case 2: // clean close after connection_established
          await c.established();
          established += 1;
          c.ws.close(1000);
          break;
        default: // subscribe, then drop the TCP connection without a close frame
          await c.established();
          established += 1;
          await c.subscribe('churn');
          c.terminate();
      }
      await c.waitClose(5000);
    };
    for (let i = 0; i < 200; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => cycle(i + j)));
    }
    assert.equal(established, 100);
    const up = await fetch(`${gw.httpUrl}/up`, { signal: AbortSignal.timeout(3000) });
    assert.equal(up.status, 200);
    // Every churned subscriber must be gone: the channel ends up vacant (bounded retry).
    const deadline = Date.now() + 3000;
    let res;
    for (;;) {
      res = await apiGet(gw, `/apps/${APP.id}/channels/churn`, { info: 'subscription_count' });
      assert.equal(res.status, 200, res.text);
      if (res.json.occupied === false) break;
      if (Date.now() > deadline) assert.fail(`churn channel still occupied: ${res.text}`);
      await sleep(100);
    }
    await proveAlive(await connect(gw.wsUrl()));
  });

  it('half-open TCP connections that never finish the handshake do not block others', async () => {
    const sockets = [];
    const open = (first) =>
      new Promise((resolve, reject) => {
        const s = net.connect(gw.port, '127.0.0.1', () => {
          if (first) s.write(first);
          resolve(s);
        });
        s.on('error', () => {});
        const timer = setTimeout(() => reject(new Error('TCP connect timed out')), 3000);
        s.once('connect', () => clearTimeout(timer));
        sockets.push(s);
      });
    try {
      for (let i = 0; i < 10; i += 1) {
        await open(null); // connect, send nothing
        await open(`GET /app/${APP.key}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`); // headers never end
        await open('GE'); // request line never ends
      }
      const started = Date.now();
      const c = await connect(gw.wsUrl());
      assert.ok(Date.now() - started < 2000, `new connection took ${Date.now() - started} ms`);
      await proveAlive(c);
      const up = await fetch(`${gw.httpUrl}/up`, { signal: AbortSignal.timeout(3000) });
      assert.equal(up.status, 200);
      c.terminate();
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it('the bystander survived the whole file', async () => {
    assert.equal(bystander.isOpen, true);
    await proveAlive();
  });
});
