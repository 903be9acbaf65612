// pusher-js's web build in Debian's headless Chromium against the real gateway: the browser's
// own WebSocket, channel authorization through the page's auth endpoint, publishes from the
// Pusher HTTP API and from gRPC. What a Laravel front end does, end to end.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trigger } from '../conformance/lib/http_api.mjs';
import { closeAllGrpc, controlPlane } from '../conformance/lib/grpc.mjs';
import { browserFixture } from './lib/fixture.mjs';

const fx = browserFixture();
after(() => closeAllGrpc());

function browserClient(authParams = {}) {
  return fx.client({ authParams });
}

async function publish(channel, name, data) {
  const response = await trigger(fx.gw, { name, channels: [channel], data });
  assert.equal(response.status, 200, response.text);
}

describe('pusher-js in Chromium', () => {
  test('receives an HTTP API publish on a public channel', async () => {
    const client = await browserClient();
    await client.subscribe('news');
    await publish('news', 'headline', JSON.stringify({ title: 'Gateway ships', n: 1 }));
    assert.deepEqual(await client.waitEvent('news', 'headline'), { title: 'Gateway ships', n: 1 });
  });

  test('subscribes to a private channel through the page auth endpoint', async () => {
    const client = await browserClient();
    await client.subscribe('private-orders.7');
    assert.ok(fx.site.authRequests.some((r) => r.channel === 'private-orders.7'));
    await publish('private-orders.7', 'App\\Events\\OrderShipped', '{"order":7}');
    assert.deepEqual(await client.waitEvent('private-orders.7', 'App\\Events\\OrderShipped'), {
      order: 7,
    });
  });

  test('joins a presence channel and sees members come and go', async () => {
    const alice = await browserClient({ user_id: 'alice', user_name: 'Alice' });
    await alice.subscribe('presence-room.1');
    assert.deepEqual(await alice.members('presence-room.1'), ['alice']);
    const bob = await browserClient({ user_id: 'bob', user_name: 'Bob' });
    await bob.subscribe('presence-room.1');
    assert.deepEqual(await bob.members('presence-room.1'), ['alice', 'bob']);
    const added = await alice.waitEvent('presence-room.1', 'pusher:member_added');
    assert.deepEqual(added, { id: 'bob', info: { name: 'Bob' } });
    await bob.disconnect();
    const removed = await alice.waitEvent('presence-room.1', 'pusher:member_removed');
    assert.equal(removed.id, 'bob');
    assert.deepEqual(await alice.members('presence-room.1'), ['alice']);
  });

  test('sends client events to the other subscribers of a private channel', async () => {
    const sender = await browserClient();
    const receiver = await browserClient();
    await sender.subscribe('private-chat.9');
    await receiver.subscribe('private-chat.9');
    assert.equal(await sender.trigger('private-chat.9', 'client-typing', { who: 'sender' }), true);
    assert.deepEqual(await receiver.waitEvent('private-chat.9', 'client-typing'), {
      who: 'sender',
    });
    // Pusher does not echo a client event to its sender; a later publish proves the sender
    // would have seen it by now.
    await publish('private-chat.9', 'after', '{}');
    await sender.waitEvent('private-chat.9', 'after');
    assert.equal((await sender.events('private-chat.9', 'client-typing')).length, 0);
  });

  test('receives a gRPC publish intact', async () => {
    const client = await browserClient();
    await client.subscribe('grpc-news');
    const cp = controlPlane(fx.gw);
    const data = JSON.stringify({ id: 42, text: 'from a backend service', nested: { a: [1, 2] } });
    await cp.publish({ channels: ['grpc-news'], name: 'service.event', data });
    assert.deepEqual(await client.waitEvent('grpc-news', 'service.event'), JSON.parse(data));
  });

  test('receives non-ASCII text intact from both publish paths', async () => {
    const client = await browserClient();
    await client.subscribe('intl');
    const text = 'Grüße aus Köln — 東京からこんにちは — Ελληνικά — 🚀🎉 — العربية';
    await publish('intl', 'http', JSON.stringify({ text }));
    await controlPlane(fx.gw).publish({ channels: ['intl'], name: 'grpc', data: JSON.stringify({ text }) });
    assert.equal((await client.waitEvent('intl', 'http')).text, text);
    assert.equal((await client.waitEvent('intl', 'grpc')).text, text);
  });

  test('receives publishes near the 10 KB payload limit intact', async () => {
    const client = await browserClient();
    await client.subscribe('large');
    // A list of records as a Laravel resource collection would send, just under 10,240 bytes.
    const rows = [];
    let data = '';
    for (let i = 0; ; ++i) {
      rows.push({ id: 1000 + i, title: `Order ${i} — ünïcödé`, total: (i * 17.35).toFixed(2) });
      const next = JSON.stringify({ rows });
      if (Buffer.byteLength(next) > 10200) break;
      data = next;
    }
    assert.ok(Buffer.byteLength(data) > 10000, `payload is ${Buffer.byteLength(data)} bytes`);
    await publish('large', 'http', data);
    await controlPlane(fx.gw).publish({ channels: ['large'], name: 'grpc', data });
    assert.deepEqual(await client.waitEvent('large', 'http'), JSON.parse(data));
    assert.deepEqual(await client.waitEvent('large', 'grpc'), JSON.parse(data));
  });
});
