// The Pusher HTTP API of the real gateway driven by the official `pusher` 5.3.4 SDK (the client
// Laravel's broadcaster uses): channel queries with filter_by_prefix / info, the users endpoint,
// `info` on trigger and batch trigger, and the documented error statuses (401, 404, 413, 400).
// pusher-js 8.6.0 clients provide the occupancy being queried.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep } from './lib/wait.mjs';
import {
  collect,
  connectedClient,
  disconnectAll,
  disconnectAndWait,
  eventually,
  failureStatus,
  jsonOf,
  serverSdk,
  subscribe,
  untilOccupied,
} from './lib/clients.mjs';

const SMALL_PAYLOAD_APP = Object.freeze({
  id: 'small-payload',
  key: 'small-payload-key',
  secret: 'small-payload-secret',
  max_event_payload_kb: 1,
});

let gw;
let sdk;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, SMALL_PAYLOAD_APP] });
  sdk = serverSdk(gw);
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  await gw?.stop();
});

// Two pusher-js clients: one on `public`, one on `public` and `presence` (user `alice`), plus a
// second connection of `alice` on `presence` (so presence has 2 subscriptions, 1 user).
async function occupy(publicName, presenceName) {
  const a = await connectedClient(gw);
  const b = await connectedClient(gw, { presenceData: { user_id: 'alice', user_info: {} } });
  const c = await connectedClient(gw, { presenceData: { user_id: 'alice', user_info: {} } });
  await subscribe(a, publicName);
  await subscribe(b, publicName);
  await subscribe(b, presenceName);
  await subscribe(c, presenceName);
  return [a, b, c];
}

describe('GET /channels', () => {
  test('lists occupied channels only, with filter_by_prefix', async () => {
    await occupy('api-list-pub', 'presence-api-list');
    const all = await jsonOf(sdk.get({ path: '/channels' }));
    assert.ok(all.channels && typeof all.channels === 'object', JSON.stringify(all));
    assert.ok('api-list-pub' in all.channels, JSON.stringify(all));
    assert.ok('presence-api-list' in all.channels, JSON.stringify(all));
    assert.ok(!('api-list-never' in all.channels));
    assert.deepEqual(all.channels['api-list-pub'], {});

    const filtered = await jsonOf(sdk.get({ path: '/channels', params: { filter_by_prefix: 'api-list-' } }));
    assert.deepEqual(filtered, { channels: { 'api-list-pub': {} } });
  });

  test('info=user_count with filter_by_prefix=presence- reports distinct users', async () => {
    await occupy('api-uc-pub', 'presence-api-uc');
    const body = await jsonOf(
      sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-api-uc', info: 'user_count' } }),
    );
    assert.deepEqual(body, { channels: { 'presence-api-uc': { user_count: 1 } } });
  });

  test('info=user_count without a presence- prefix is 400', async () => {
    const bad = await failureStatus(() =>
      sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-', info: 'user_count' } }),
    );
    assert.equal(bad.status, 400);
    const none = await failureStatus(() => sdk.get({ path: '/channels', params: { info: 'user_count' } }));
    assert.equal(none.status, 400);
  });

  test('a vacated channel disappears from the list', async () => {
    const client = await connectedClient(gw);
    await subscribe(client, 'api-vacate');
    await untilOccupied(sdk, 'api-vacate', true);
    await disconnectAndWait(client);
    await untilOccupied(sdk, 'api-vacate', false);
    const body = await jsonOf(sdk.get({ path: '/channels', params: { filter_by_prefix: 'api-vacate' } }));
    assert.deepEqual(body, { channels: {} });
  });
});

describe('GET /channels/{name}', () => {
  test('occupied and subscription_count of a public channel', async () => {
    await occupy('api-one-pub', 'presence-api-one');
    const body = await jsonOf(
      sdk.get({ path: '/channels/api-one-pub', params: { info: 'subscription_count' } }),
    );
    assert.deepEqual(body, { occupied: true, subscription_count: 2 });
    const plain = await jsonOf(sdk.get({ path: '/channels/api-one-pub' }));
    assert.equal(plain.occupied, true);
    assert.equal(plain.user_count, undefined);
  });

  test('user_count and subscription_count of a presence channel', async () => {
    await occupy('api-two-pub', 'presence-api-two');
    const body = await jsonOf(
      sdk.get({ path: '/channels/presence-api-two', params: { info: 'user_count,subscription_count' } }),
    );
    assert.deepEqual(body, { occupied: true, user_count: 1, subscription_count: 2 });
  });

  test('an unused channel is not occupied', async () => {
    const body = await jsonOf(sdk.get({ path: '/channels/api-nobody-here', params: { info: 'subscription_count' } }));
    assert.equal(body.occupied, false);
    assert.ok(body.subscription_count === undefined || body.subscription_count === 0, JSON.stringify(body));
  });

  test('user_count on a non-presence channel is 400', async () => {
    const bad = await failureStatus(() =>
      sdk.get({ path: '/channels/api-one-pub', params: { info: 'user_count' } }),
    );
    assert.equal(bad.status, 400);
  });
});

describe('GET /channels/{name}/users', () => {
  test('lists each user once', async () => {
    await occupy('api-users-pub', 'presence-api-users');
    const bob = await connectedClient(gw, { presenceData: { user_id: 'bob', user_info: { x: 1 } } });
    await subscribe(bob, 'presence-api-users');
    const body = await jsonOf(sdk.get({ path: '/channels/presence-api-users/users' }));
    assert.deepEqual(
      body.users.slice().sort((a, b) => a.id.localeCompare(b.id)),
      [{ id: 'alice' }, { id: 'bob' }],
    );
  });

  test('on a non-presence channel is 400', async () => {
    const bad = await failureStatus(() => sdk.get({ path: '/channels/api-users-pub/users' }));
    assert.equal(bad.status, 400);
  });
});

describe('POST /events', () => {
  test('answers {} without info', async () => {
    const res = await sdk.trigger('api-plain', 'ev', { a: 1 });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
  });

  test("info='subscription_count,user_count' returns the channels map", async () => {
    await occupy('api-info-pub', 'presence-api-info');
    const presence = await jsonOf(
      sdk.trigger('presence-api-info', 'ev', { a: 1 }, { info: 'subscription_count,user_count' }),
    );
    assert.deepEqual(presence, {
      channels: { 'presence-api-info': { subscription_count: 2, user_count: 1 } },
    });
    const pub = await jsonOf(
      sdk.trigger(['api-info-pub', 'api-info-empty'], 'ev', { a: 1 }, { info: 'subscription_count' }),
    );
    assert.equal(pub.channels['api-info-pub'].subscription_count, 2);
    assert.ok(
      !('api-info-empty' in pub.channels) || pub.channels['api-info-empty'].subscription_count === 0,
      JSON.stringify(pub),
    );
  });

  test('exactly 100 channels are accepted and delivered', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'api-hundred-99');
    const got = collect(channel, 'wide');
    const names = Array.from({ length: 100 }, (_, i) => `api-hundred-${i}`);
    const res = await sdk.trigger(names, 'wide', { ok: 1 });
    assert.equal(res.status, 200);
    await eventually('event on the 100th channel', () => got.length === 1);
  });

  test('more than 100 channels is 400', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `api-too-many-${i}`);
    // The SDK refuses client side; send the same signed request it would send.
    const bad = await failureStatus(() =>
      sdk.post({ path: '/events', body: { name: 'ev', data: '{}', channels: names } }),
    );
    assert.equal(bad.status, 400);
  });

  test('data up to max_event_payload_kb (10 KB) is accepted; larger is 413 and not delivered', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'api-size');
    const got = collect(channel, 'big');
    const ok = await sdk.trigger('api-size', 'big', 'x'.repeat(10 * 1024));
    assert.equal(ok.status, 200);
    await eventually('10 KB event', () => got.length === 1);
    assert.equal(got[0].data.length, 10 * 1024);
    const tooBig = await failureStatus(() => sdk.trigger('api-size', 'big', 'x'.repeat(10 * 1024 + 1)));
    assert.equal(tooBig.status, 413);
    await sleep(200);
    assert.equal(got.length, 1, 'oversized event was delivered');
  });

  test('max_event_payload_kb is per app', async () => {
    const small = serverSdk(gw, SMALL_PAYLOAD_APP);
    const ok = await small.trigger('api-small', 'ev', 'y'.repeat(1024));
    assert.equal(ok.status, 200);
    const bad = await failureStatus(() => small.trigger('api-small', 'ev', 'y'.repeat(2048)));
    assert.equal(bad.status, 413);
  });

  test('wrong secret is 401', async () => {
    const wrong = serverSdk(gw, TEST_APP, { secret: 'not-the-secret' });
    const trig = await failureStatus(() => wrong.trigger('api-auth', 'ev', {}));
    assert.equal(trig.status, 401);
    const get = await failureStatus(() => wrong.get({ path: '/channels' }));
    assert.equal(get.status, 401);
  });

  test('unknown app id is 404', async () => {
    const ghost = serverSdk(gw, TEST_APP, { appId: 'no-such-app' });
    const res = await failureStatus(() => ghost.trigger('api-ghost', 'ev', {}));
    assert.equal(res.status, 404);
  });

  test('a valid signature of another app does not work on this app id', async () => {
    const other = serverSdk(gw, SMALL_PAYLOAD_APP, { appId: TEST_APP.id });
    const res = await failureStatus(() => other.trigger('api-cross', 'ev', {}));
    assert.equal(res.status, 401);
  });
});

describe('POST /batch_events', () => {
  test('delivers each event and answers {} without info', async () => {
    const client = await connectedClient(gw);
    const a = collect(await subscribe(client, 'api-batch-a'), 'one');
    const b = collect(await subscribe(client, 'api-batch-b'), 'two');
    const res = await sdk.triggerBatch([
      { channel: 'api-batch-a', name: 'one', data: { n: 1 } },
      { channel: 'api-batch-b', name: 'two', data: 'second' },
    ]);
    assert.deepEqual(await res.json(), {});
    await eventually('both batch events', () => a.length === 1 && b.length === 1);
    assert.deepEqual(a[0].data, { n: 1 });
    assert.equal(b[0].data, 'second');
  });

  test('info per event returns {batch:[...]} in request order', async () => {
    await occupy('api-batch-info-pub', 'presence-api-batch-info');
    const body = await jsonOf(
      sdk.triggerBatch([
        { channel: 'api-batch-info-pub', name: 'e', data: {}, info: 'subscription_count' },
        { channel: 'presence-api-batch-info', name: 'e', data: {}, info: 'user_count,subscription_count' },
      ]),
    );
    assert.deepEqual(body, {
      batch: [{ subscription_count: 2 }, { user_count: 1, subscription_count: 2 }],
    });
  });

  test('more than 10 events is 400', async () => {
    const batch = Array.from({ length: 11 }, (_, i) => ({ channel: `api-b11-${i}`, name: 'e', data: {} }));
    const bad = await failureStatus(() => sdk.triggerBatch(batch));
    assert.equal(bad.status, 400);
  });

  test('an oversized event in a batch is 413', async () => {
    const bad = await failureStatus(() =>
      sdk.triggerBatch([{ channel: 'api-bbig', name: 'e', data: 'z'.repeat(11 * 1024) }]),
    );
    assert.equal(bad.status, 413);
  });
});
