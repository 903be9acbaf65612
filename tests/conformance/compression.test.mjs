// permessage-deflate (RFC 7692) against the real binary: what is negotiated with which offer and
// switch, that a publish reaches a compressing and a plain subscriber alike (the compressed one
// smaller on the wire, the small one uncompressed), and that hostile compressed input (a deflate
// bomb, data that is not DEFLATE, RSV1 without the extension) gets its close code while other
// connections go on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { trigger } from './lib/http_api.mjs';
import { closeAllClients, connect } from './lib/raw_ws.mjs';
import { DeflateSocket, deflateLikeABrowser } from './lib/deflate_socket.mjs';

const PLAIN_APP = Object.freeze({
  id: 'plain-app',
  key: 'plain-key',
  secret: 'plain-secret',
  enable_websocket_compression: false,
});
const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
const PATH = `/app/${TEST_APP.key}?protocol=7&client=js&version=8.6.0&flash=false`;

// A Laravel broadcast of about 1.2 KB: a chat message with its author, `data` escaped JSON.
function chatBroadcast(i) {
  return JSON.stringify({
    message: {
      id: 48000 + i,
      room_id: 42,
      body: 'Deploy finished, error rate is back to normal. Customer #4411 reported the export works.',
      user: { id: 1937, name: 'Amelia Hartmann', email: 'amelia@example.com', avatar_url: 'https://cdn.example.com/avatars/1937.jpg' },
      created_at: '2024-05-14T09:21:33.000000Z',
      updated_at: '2024-05-14T09:21:33.000000Z',
      reactions: [{ emoji: '👍', count: 3 }, { emoji: '🎉', count: 1 }],
    },
    room: { id: 42, name: 'Support — Köln', members_count: 12, topic: 'Everything about the export job and its retries' },
  });
}

let gw;
const sockets = [];
async function open(options, path = PATH) {
  const socket = await DeflateSocket.open(gw.port, path, options);
  sockets.push(socket);
  return socket;
}
async function subscribed(options, channel) {
  const socket = await open(options);
  await socket.waitEvent('pusher:connection_established');
  socket.sendFrame(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
  await socket.waitEvent('pusher_internal:subscription_succeeded', channel);
  return socket;
}
async function publish(channel, name, data) {
  const response = await trigger(gw, { name, channels: [channel], data });
  assert.equal(response.status, 200, response.text);
}
async function metric(name, app = TEST_APP.id) {
  const text = await (await fetch(`${gw.operatorUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{app="${app}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, PLAIN_APP], config: { max_request_kb: 16 } });
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  closeAllClients();
  await gw?.stop();
});

describe('negotiation', () => {
  test('answers the offers browsers and ws send with no context takeover either way', async () => {
    for (const offer of [
      'permessage-deflate; client_max_window_bits', // Chromium, ws
      'permessage-deflate', // Firefox
      'permessage-deflate; server_max_window_bits=10, permessage-deflate', // second offer taken
    ]) {
      const socket = await open({ offer });
      assert.equal(socket.extensions, ANSWER, offer);
      await socket.waitEvent('pusher:connection_established');
    }
    // ws (offering by default, as Chromium does) agrees and names the extension.
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}${PATH}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    assert.equal(ws.extensions, 'permessage-deflate');
    ws.close();
  });

  test('goes on uncompressed for no offer, an offer it cannot honour, Safari 15.0-15.3, or an app that opts out', async () => {
    for (const offer of [null, 'permessage-deflate; server_max_window_bits=9', 'permessage-deflate; bogus', 'x-webkit-deflate-frame']) {
      const socket = await open({ offer });
      assert.equal(socket.extensions, null, String(offer));
      await socket.waitEvent('pusher:connection_established');
    }
    // Safari 15.0-15.3 ignores client_no_context_takeover; its later messages would not inflate.
    const safari = await open({
      headers: {
        'User-Agent':
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.2 Safari/605.1.15',
      },
    });
    assert.equal(safari.extensions, null);
    await safari.waitEvent('pusher:connection_established');
    const optedOut = await open({}, `/app/${PLAIN_APP.key}?protocol=7`);
    assert.equal(optedOut.extensions, null);
    await optedOut.waitEvent('pusher:connection_established');
  });

  test('the server-wide switch turns it off for every app', async () => {
    const off = await startGateway({ config: { websocket_compression: false } });
    try {
      const socket = await DeflateSocket.open(off.port, PATH);
      sockets.push(socket);
      assert.equal(socket.extensions, null);
      await socket.waitEvent('pusher:connection_established');
    } finally {
      await off.stop();
    }
  });
});

describe('outbound', () => {
  test('one publish reaches a compressing and a plain subscriber with the same text', async () => {
    const compressing = await subscribed({}, 'chat.42');
    const plain = await subscribed({ offer: null }, 'chat.42');
    const compressedBefore = await metric('realtime_messages_sent_compressed_total');
    const data = chatBroadcast(1);
    await publish('chat.42', 'App\\Events\\MessageSent', data);
    const a = await compressing.waitEvent('App\\Events\\MessageSent', 'chat.42');
    const b = await plain.waitEvent('App\\Events\\MessageSent', 'chat.42');
    assert.equal(a.text, b.text, 'both must read the same frame');
    assert.equal(JSON.parse(a.text).data, data);
    assert.equal(a.rsv1, true);
    assert.equal(b.rsv1, false);
    assert.ok(a.wireLength < b.wireLength * 0.75, `compressed ${a.wireLength} B vs plain ${b.wireLength} B`);
    assert.equal(await metric('realtime_messages_sent_compressed_total'), compressedBefore + 1);
  });

  test('frames under the threshold and the server’s own replies go uncompressed', async () => {
    const socket = await subscribed({}, 'small');
    await publish('small', 'tiny', '{"ok":true}');
    const tiny = await socket.waitEvent('tiny', 'small');
    assert.equal(tiny.rsv1, false);
    assert.ok(socket.frames.every((f) => !f.rsv1), 'connection_established and replies are plain');
  });

  test('a ws client inflates a run of compressed publishes', async () => {
    const client = await connect(gw.wsUrl(), { perMessageDeflate: true });
    assert.equal(client.ws.extensions, 'permessage-deflate');
    await client.subscribe('run');
    for (let i = 0; i < 5; ++i) await publish('run', 'msg', chatBroadcast(i));
    for (let i = 0; i < 5; ++i) {
      const m = await client.waitEvent('msg', { channel: 'run' });
      assert.equal(m.dataRaw, chatBroadcast(i));
    }
  });
});

describe('inbound', () => {
  test('compressed client messages are inflated and handled', async () => {
    const socket = await open({});
    await socket.waitEvent('pusher:connection_established');
    socket.sendCompressed(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'inbound' } }));
    await socket.waitEvent('pusher_internal:subscription_succeeded', 'inbound');
    socket.sendCompressed(JSON.stringify({ event: 'pusher:ping', data: {} }));
    await socket.waitEvent('pusher:pong');
  });

  test('a deflate bomb is closed with 1009, bad data with 1007, RSV1 unnegotiated with 1002; others go on', async () => {
    const bystander = await subscribed({}, 'bystander');
    // 16 MiB of spaces deflate to about 16 KiB; the limit is 16 KiB inflated.
    const bomb = await open({});
    await bomb.waitEvent('pusher:connection_established');
    const payload = deflateLikeABrowser(' '.repeat(16 * 1024 * 1024));
    assert.ok(payload.length < 16 * 1024, `bomb is ${payload.length} bytes compressed`);
    bomb.sendFrame(payload, { rsv1: true });
    assert.equal(await bomb.waitClose(), 1009);

    const garbage = await open({});
    await garbage.waitEvent('pusher:connection_established');
    garbage.sendFrame(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x12, 0x34]), { rsv1: true });
    assert.equal(await garbage.waitClose(), 1007);

    const unnegotiated = await open({ offer: null });
    await unnegotiated.waitEvent('pusher:connection_established');
    unnegotiated.sendFrame(deflateLikeABrowser('{"event":"pusher:ping","data":{}}'), { rsv1: true });
    assert.equal(await unnegotiated.waitClose(), 1002);

    await publish('bystander', 'still-here', chatBroadcast(9));
    const m = await bystander.waitEvent('still-here', 'bystander');
    assert.equal(JSON.parse(m.text).data, chatBroadcast(9));
    assert.equal(bystander.closeCode, undefined);
  });
});
