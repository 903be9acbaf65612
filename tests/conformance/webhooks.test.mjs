// Pusher webhooks from the real gateway, checked by the `pusher` 5.3.4 SDK's own webhook
// validation (the code a Laravel or Node backend runs on receipt): every request a test receiver
// gets must pass `pusher.webhook({headers, rawBody}).isValid()`. pusher-js 8.6.0 clients produce
// channel_occupied / channel_vacated, member_added / member_removed, client_event, cache_miss and
// subscription_count; per-webhook event_types and channel_prefix filters, batching, a retry after
// a 500, and the vacate delay that makes a page reload silent are exercised too.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startGateway } from './lib/gateway.mjs';
import { startReceiver, webhookEvent } from './lib/webhook_receiver.mjs';
import { sleep } from './lib/wait.mjs';
import {
  PusherServer,
  connectedClient,
  disconnectAll,
  disconnectAndWait,
  serverSdk,
  subscribe,
  untilOccupied,
} from './lib/clients.mjs';

// Short enough for tests, long enough for a reconnect to fall inside it on a slow machine under
// a sanitizer (500 ms was not always).
const VACATE_DELAY_MS = 2000;

const unique = (prefix) => `${prefix}-${randomBytes(4).toString('hex')}`;

const HOOK_APP = { id: 'hook-app', key: 'hook-key', secret: 'hook-secret' };
const BATCH_APP = { id: 'hook-batch', key: 'hook-batch-key', secret: 'hook-batch-secret' };
const RETRY_APP = { id: 'hook-retry', key: 'hook-retry-key', secret: 'hook-retry-secret' };

let gw;
let all; // every event of HOOK_APP
let filtered; // HOOK_APP: member_added of presence- channels only
let batch; // BATCH_APP, batching on
let retry; // RETRY_APP, answers 500 first

before(async () => {
  all = await startReceiver(HOOK_APP);
  filtered = await startReceiver(HOOK_APP);
  batch = await startReceiver(BATCH_APP);
  retry = await startReceiver(RETRY_APP, { statuses: [500] });
  gw = await startGateway({
    config: { webhook_vacate_delay_ms: VACATE_DELAY_MS },
    apps: [
      {
        ...HOOK_APP,
        enable_client_messages: true,
        enable_subscription_count: true,
        webhooks: [
          { url: all.url, headers: { 'X-Hook-Token': 'token-1' } },
          { url: filtered.url, event_types: ['member_added'], channel_prefix: 'presence-' },
        ],
      },
      { ...BATCH_APP, webhook_batching: true, webhooks: [{ url: batch.url }] },
      { ...RETRY_APP, webhooks: [{ url: retry.url, event_types: ['channel_occupied'] }] },
    ],
  });
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  // The gateway first: at shutdown it still delivers what it holds, to receivers that listen.
  await gw?.stop();
  await Promise.all([all, filtered, batch, retry].map((r) => r?.close()));
});

function client(app, userId) {
  return connectedClient(gw, {
    app,
    presenceData:
      userId === undefined ? undefined : { user_id: userId, user_info: { name: userId } },
  });
}

describe('channel existence', () => {
  test('channel_occupied on the first subscriber, channel_vacated after the delay', async () => {
    const name = unique('orders');
    const alice = await client(HOOK_APP);
    await subscribe(alice, name);
    const occupied = await webhookEvent(all, { name: 'channel_occupied', channel: name });
    assert.deepEqual(Object.keys(occupied).sort(), ['at', 'channel', 'name']);

    const second = await client(HOOK_APP);
    await subscribe(second, name);
    await disconnectAndWait(second);
    const leftAt = Date.now();
    alice.unsubscribe(name);
    const vacated = await webhookEvent(all, { name: 'channel_vacated', channel: name });
    assert.deepEqual(Object.keys(vacated).sort(), ['at', 'channel', 'name']);
    const waited = vacated.at - leftAt;
    assert.ok(waited >= VACATE_DELAY_MS - 50, `vacated after ${waited} ms`);
    assert.deepEqual(
      all.events(name)
        .map((e) => e.name)
        .filter((n) => n !== 'subscription_count'), // this app has them too
      ['channel_occupied', 'channel_vacated'],
      'one occupied and one vacated, whatever the second subscriber did',
    );
  });

  test('every request is signed for the app and says when it was made', async () => {
    const name = unique('signed');
    const c = await client(HOOK_APP);
    await subscribe(c, name);
    await webhookEvent(all, { name: 'channel_occupied', channel: name });
    const request = all.requests.find((r) => r.events.some((e) => e.channel === name));
    assert.equal(request.headers['x-pusher-key'], HOOK_APP.key);
    assert.match(request.headers['x-pusher-signature'], /^[0-9a-f]{64}$/);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-hook-token'], 'token-1', 'configured headers are sent');
    assert.equal(request.path, '/pusher/webhook');
    assert.ok(Math.abs(request.time.getTime() - request.at) < 5000, 'time_ms is the sending time');
    // A receiver holding another app's secret refuses it: the validation above is not a formality.
    const stranger = new PusherServer({ appId: 'x', key: HOOK_APP.key, secret: 'not-the-secret' });
    const forged = stranger.webhook({ headers: request.headers, rawBody: request.rawBody });
    assert.equal(forged.isValid(), false);
  });
});

describe('presence', () => {
  test('member_added and member_removed carry the user id, once per user', async () => {
    const name = unique('presence-room');
    const alice = await client(HOOK_APP, 'alice');
    await subscribe(alice, name);
    await webhookEvent(all, { name: 'member_added', channel: name, user_id: 'alice' });

    const bob = await client(HOOK_APP, 'bob');
    const bobAgain = await client(HOOK_APP, 'bob');
    await subscribe(bob, name);
    await subscribe(bobAgain, name);
    const added = await webhookEvent(all, { name: 'member_added', channel: name, user_id: 'bob' });
    assert.deepEqual(Object.keys(added).sort(), ['at', 'channel', 'name', 'user_id']);

    await disconnectAndWait(bob); // bob is still there through his other connection
    await disconnectAndWait(bobAgain);
    const removed = await webhookEvent(all, {
      name: 'member_removed',
      channel: name,
      user_id: 'bob',
    });
    assert.deepEqual(Object.keys(removed).sort(), ['at', 'channel', 'name', 'user_id']);
    assert.deepEqual(
      all.events(name).filter((e) => e.user_id === 'bob').map((e) => e.name),
      ['member_added', 'member_removed'],
    );
    assert.equal(all.events(name).some((e) => e.name === 'channel_vacated'), false);
  });

  test('a page reload within the delay sends no vacated, removed, occupied or added', async () => {
    const name = unique('presence-reload');
    const sdk = serverSdk(gw, HOOK_APP);
    const first = await client(HOOK_APP, 'carol');
    await subscribe(first, name);
    await webhookEvent(all, { name: 'member_added', channel: name, user_id: 'carol' });
    const before = all.events(name).length;

    await disconnectAndWait(first);
    await untilOccupied(sdk, name, false, 2000); // the server has seen the channel emptied
    const reloaded = await client(HOOK_APP, 'carol');
    await subscribe(reloaded, name);
    await sleep(VACATE_DELAY_MS + 500); // room for the wrong webhooks to arrive
    assert.deepEqual(all.events(name).slice(before), [], 'the reload made no webhook');

    // The control: leaving for good is reported.
    await disconnectAndWait(reloaded);
    await webhookEvent(all, { name: 'member_removed', channel: name, user_id: 'carol' });
    await webhookEvent(all, { name: 'channel_vacated', channel: name });
  });
});

describe('client events', () => {
  test('client_event carries event, data as a string and the sender socket_id', async () => {
    const name = unique('private-chat');
    const sender = await client(HOOK_APP);
    const listener = await client(HOOK_APP);
    const channel = await subscribe(sender, name);
    await subscribe(listener, name);
    channel.trigger('client-typing', { typing: true, n: [1, 2] });
    channel.trigger('client-note', 'just a string');
    const typing = await webhookEvent(all, { name: 'client_event', event: 'client-typing' });
    assert.equal(typing.channel, name);
    assert.equal(typeof typing.data, 'string');
    assert.deepEqual(JSON.parse(typing.data), { typing: true, n: [1, 2] });
    assert.equal(typing.socket_id, sender.connection.socket_id);
    assert.equal('user_id' in typing, false, 'no user_id outside presence channels');
    const note = await webhookEvent(all, { name: 'client_event', event: 'client-note' });
    assert.equal(note.data, 'just a string');
  });

  test('on a presence channel client_event carries the sender user_id', async () => {
    const name = unique('presence-chat');
    const dave = await client(HOOK_APP, 'dave');
    const erin = await client(HOOK_APP, 'erin');
    const channel = await subscribe(dave, name);
    await subscribe(erin, name);
    channel.trigger('client-wave', { hand: 'left' });
    const wave = await webhookEvent(all, { name: 'client_event', channel: name });
    assert.equal(wave.user_id, 'dave');
    assert.equal(wave.socket_id, dave.connection.socket_id);
    assert.deepEqual(JSON.parse(wave.data), { hand: 'left' });
  });
});

describe('subscription_count', () => {
  test('sent with the count for an app with enable_subscription_count', async () => {
    const name = unique('counted');
    const a = await client(HOOK_APP);
    const b = await client(HOOK_APP);
    await subscribe(a, name);
    await subscribe(b, name);
    const count = await webhookEvent(all, {
      name: 'subscription_count',
      channel: name,
      subscription_count: 2,
    });
    assert.deepEqual(Object.keys(count).sort(), ['at', 'channel', 'name', 'subscription_count']);
  });

  test('never sent for an app without it', async () => {
    const name = unique('uncounted');
    const a = await client(BATCH_APP);
    await subscribe(a, name);
    await webhookEvent(batch, { name: 'channel_occupied', channel: name });
    await sleep(1200); // counts are coalesced every ~500 ms
    assert.equal(batch.events(name).some((e) => e.name === 'subscription_count'), false);
  });
});

describe('filters', () => {
  test('event_types and channel_prefix limit what one webhook receives', async () => {
    const room = unique('presence-filtered');
    const plain = unique('filtered');
    const frank = await client(HOOK_APP, 'frank');
    await subscribe(frank, plain);
    await subscribe(frank, room);
    await webhookEvent(all, { name: 'member_added', channel: room, user_id: 'frank' });
    await webhookEvent(filtered, { name: 'member_added', channel: room, user_id: 'frank' });
    await webhookEvent(all, { name: 'channel_occupied', channel: plain });
    await disconnectAndWait(frank);
    await webhookEvent(all, { name: 'channel_vacated', channel: room });
    await webhookEvent(all, { name: 'channel_vacated', channel: plain });
    for (const e of filtered.events()) {
      assert.equal(e.name, 'member_added');
      assert.ok(e.channel.startsWith('presence-'), e.channel);
    }
    assert.deepEqual(filtered.events(room).map((e) => e.name), ['member_added']);
  });
});

describe('batching', () => {
  test('with webhook_batching several events share one POST', async () => {
    const names = Array.from({ length: 5 }, (_, i) => unique(`batched-${i}`));
    const c = await client(BATCH_APP);
    await Promise.all(names.map((n) => subscribe(c, n)));
    for (const n of names) await webhookEvent(batch, { name: 'channel_occupied', channel: n });
    const carrying = batch.requests.filter((r) => r.events.some((e) => names.includes(e.channel)));
    assert.ok(carrying.length < names.length, `${carrying.length} POSTs, ${names.length} events`);
    assert.ok(carrying.some((r) => r.events.length > 1));
  });

  test('without it each POST carries one event', async () => {
    const names = Array.from({ length: 3 }, (_, i) => unique(`single-${i}`));
    const c = await client(HOOK_APP);
    await Promise.all(names.map((n) => subscribe(c, n)));
    for (const n of names) await webhookEvent(all, { name: 'channel_occupied', channel: n });
    for (const r of all.requests) assert.equal(r.events.length, 1);
  });
});

describe('delivery', () => {
  test('a webhook answered with 500 is sent again, unchanged, and then accepted', async () => {
    const name = unique('retried');
    const c = await client(RETRY_APP);
    await subscribe(c, name);
    await webhookEvent(retry, { name: 'channel_occupied', channel: name }, 8000);
    const attempts = retry.requests.filter((r) => r.events.some((e) => e.channel === name));
    assert.deepEqual(attempts.map((r) => r.status), [500, 200]);
    assert.equal(attempts[1].rawBody, attempts[0].rawBody);
    const backoff = attempts[1].at - attempts[0].at;
    assert.ok(backoff >= 700, `retried after ${backoff} ms`);
  });
});

describe('cache channels', () => {
  test('cache_miss when a cache- channel has no cached event', async () => {
    const name = unique('cache-empty');
    const c = await client(HOOK_APP);
    await subscribe(c, name);
    const miss = await webhookEvent(all, { name: 'cache_miss', channel: name });
    assert.deepEqual(Object.keys(miss).sort(), ['at', 'channel', 'name']);
  });
});

test('every webhook request passed the pusher SDK validation', () => {
  const received = [all, filtered, batch, retry].flatMap((r) => r.requests);
  assert.ok(received.length > 10);
  assert.deepEqual(received.filter((r) => !r.valid).map((r) => r.rawBody), []);
});
