// permessage-deflate with a real browser: Chromium offers it on every WebSocket, the gateway
// accepts, and a publish reaches the browser compressed (seen on the wire through a relay that
// reads frame headers) and intact (seen by pusher-js), next to a Node pusher-js client that
// offers no compression and reads the same event uncompressed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trigger } from '../conformance/lib/http_api.mjs';
import { collect, connectedClient, disconnectAll, eventually, subscribe } from '../conformance/lib/clients.mjs';
import { browserFixture } from './lib/fixture.mjs';
import { startWireTap } from './lib/wire_tap.mjs';

const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';

const fx = browserFixture();

// A browser client whose WebSocket goes through a fresh wire tap; returns [client, tap].
async function tappedBrowserClient() {
  const wire = await startWireTap(fx.gw.port);
  fx.afterThisTest(() => wire.close());
  fx.afterThisTest(() => disconnectAll());
  const client = await fx.client({ wsPort: wire.port });
  assert.equal(wire.taps.length, 1);
  return [client, wire.taps[0]];
}

// A Laravel broadcast of about 1.2 KB: a chat message with its author and room.
function chatMessage(i) {
  return {
    message: {
      id: 48000 + i,
      room_id: 42,
      body: `Deploy ${i} finished, error rate is back to normal. Customer #4411 says the export works again.`,
      user: { id: 1937, name: 'Amelia Hartmann', email: 'amelia@example.com', avatar_url: 'https://cdn.example.com/avatars/1937.jpg' },
      created_at: '2024-05-14T09:21:33.000000Z',
      updated_at: '2024-05-14T09:21:33.000000Z',
      reactions: [{ emoji: '👍', count: 3 }, { emoji: '🎉', count: 1 }],
      attachments: [{ name: 'export-2024-05.csv', size: 48213, url: 'https://cdn.example.com/files/export-2024-05.csv' }],
    },
    room: { id: 42, name: 'Support — Köln', members_count: 12, topic: 'Everything about the export job and its retries' },
    thread: [
      { id: 47990 + i, user: { id: 1902, name: 'Jonas Weber' }, body: 'Can you push the fix before the standup?', created_at: '2024-05-14T09:20:11.000000Z' },
      { id: 47991 + i, user: { id: 1937, name: 'Amelia Hartmann' }, body: 'Deploying now, the migration is small.', created_at: '2024-05-14T09:20:48.000000Z' },
    ],
  };
}

async function publish(channel, name, data) {
  const response = await trigger(fx.gw, { name, channels: [channel], data: JSON.stringify(data) });
  assert.equal(response.status, 200, response.text);
}

async function sentCompressed() {
  const text = await (await fetch(`${fx.gw.operatorUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`realtime_messages_sent_compressed_total{app="${fx.app.id}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('permessage-deflate in Chromium', () => {
  test('Chromium negotiates it and reads compressed publishes, its own messages compressed too', async () => {
    const [client, tap] = await tappedBrowserClient();
    assert.match(tap.client.header('sec-websocket-extensions'), /permessage-deflate/);
    assert.equal(tap.server.header('sec-websocket-extensions'), ANSWER);
    await client.subscribe('private-chat.42');
    const before = await sentCompressed();
    const plainSize = Buffer.byteLength(
      JSON.stringify({ event: 'App\\Events\\MessageSent', channel: 'private-chat.42', data: JSON.stringify(chatMessage(1)) }),
    );
    await publish('private-chat.42', 'App\\Events\\MessageSent', chatMessage(1));
    assert.deepEqual(await client.waitEvent('private-chat.42', 'App\\Events\\MessageSent'), chatMessage(1));

    const compressed = tap.server.textFrames().filter((f) => f.rsv1);
    assert.equal(compressed.length, 1, JSON.stringify(tap.server.frames));
    assert.ok(plainSize > 1000, `broadcast is ${plainSize} bytes`);
    assert.ok(compressed[0].length * 2 < plainSize, `on the wire ${compressed[0].length} B, plain ${plainSize} B`);
    assert.equal(await sentCompressed(), before + 1, 'the gateway counts the compressed delivery');
    // Chromium compresses what it sends; the gateway inflated its subscribe to answer it.
    assert.ok(tap.client.textFrames().some((f) => f.rsv1), JSON.stringify(tap.client.frames));
  });

  test('a run of large and small publishes arrives intact and in order', async () => {
    const [client, tap] = await tappedBrowserClient();
    await client.subscribe('run');
    const sent = [];
    for (let i = 0; i < 12; ++i) {
      const data = i % 3 === 2 ? { n: i } : chatMessage(i);
      sent.push(data);
      await publish('run', 'tick', data);
    }
    await client.waitEvent('run', 'tick', { n: sent.length });
    assert.deepEqual((await client.events('run', 'tick')).map((e) => e.data), sent);
    const ticks = tap.server.textFrames().slice(-sent.length);
    assert.deepEqual(ticks.map((f) => f.rsv1), sent.map((d) => d.n === undefined), 'large compressed, small plain');
  });

  test('a compressing browser and a plain Node client on one channel read the same event', async () => {
    const [browserClient, tap] = await tappedBrowserClient();
    await browserClient.subscribe('mixed');
    const node = await connectedClient(fx.gw);
    const got = collect(await subscribe(node, 'mixed'), 'App\\Events\\MessageSent');
    await publish('mixed', 'App\\Events\\MessageSent', chatMessage(7));
    assert.deepEqual(await browserClient.waitEvent('mixed', 'App\\Events\\MessageSent'), chatMessage(7));
    await eventually('the Node client got the event', () => got.length === 1);
    assert.deepEqual(got[0].data, chatMessage(7));
    assert.equal(tap.server.textFrames().filter((f) => f.rsv1).length, 1, 'the browser’s copy was compressed');
  });
});
