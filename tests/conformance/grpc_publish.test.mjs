// realtime.v1 ControlPlane.Publish / PublishBatch, driven by a grpc-js client (the project's
// .proto loaded by @grpc/proto-loader) against the real gateway binary, with pusher-js and raw
// `ws` subscribers observing what arrives on the wire. Covers delivery (exact name and data,
// several channels, socket_id exclusion), include_channel_info counts, batch order, and the
// status codes of control.proto's header comment: UNAUTHENTICATED (no / wrong token),
// PERMISSION_DENIED (token of another app, disabled app), NOT_FOUND (unknown app),
// INVALID_ARGUMENT (names the field; too many channels or batch events), RESOURCE_EXHAUSTED (payload over the app's size limit),
// and the per-app `grpc_token` override.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep } from './lib/wait.mjs';
import {
  collect,
  connectedClient,
  eventually,
  receivedFrames,
  subscribe,
} from './lib/clients.mjs';
import { connect } from './lib/raw_ws.mjs';
import { closeEverythingAfterTests, controlPlane, derivedToken, expectCode, failure, Status } from './lib/grpc.mjs';

const OTHER_APP = Object.freeze({ id: 'grpc-other', key: 'grpc-other-key', secret: 'grpc-other-secret' });
const DISABLED_APP = Object.freeze({
  id: 'grpc-disabled',
  key: 'grpc-disabled-key',
  secret: 'grpc-disabled-secret',
  enabled: false,
});
const CUSTOM_TOKEN_APP = Object.freeze({
  id: 'grpc-custom',
  key: 'grpc-custom-key',
  secret: 'grpc-custom-secret',
  grpc_token: 'custom',
});

let gw;
let cp; // ControlPlane client acting for TEST_APP with its derived token

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, OTHER_APP, DISABLED_APP, CUSTOM_TOKEN_APP] });
  cp = controlPlane(gw);
});

closeEverythingAfterTests(() => gw);

// A connected pusher-js client subscribed to `names`; returns {client, channels}.
async function subscriber(names, opts = {}) {
  const client = await connectedClient(gw, opts);
  const channels = [];
  for (const name of names) channels.push(await subscribe(client, name));
  return { client, channels };
}

const presenceAs = (userId) => ({ presenceData: { user_id: userId, user_info: { n: userId } } });

describe('Publish delivers to real subscribers', () => {
  test('a pusher-js subscriber gets the exact event name and data; a raw socket sees the data string verbatim', async () => {
    const ch = 'grpc-pub-exact';
    const { channels: [channel] } = await subscriber([ch]);
    const got = collect(channel, 'order.shipped');
    const raw = await connect(gw.wsUrl());
    await raw.subscribe(ch);

    const data = '{"id":42,"name":"caf\u00e9 \u2713","nested":{"a":[1,2]}}';
    const response = await cp.publish({ channels: [ch], name: 'order.shipped', data });
    assert.deepEqual(response.channels, {}, 'channels must be empty without include_channel_info');

    await eventually('order.shipped on pusher-js', () => got.length === 1);
    assert.deepEqual(got[0].data, { id: 42, name: 'caf\u00e9 \u2713', nested: { a: [1, 2] } });
    const frame = await raw.waitEvent('order.shipped', { channel: ch });
    assert.equal(frame.dataRaw, data, 'data must be delivered verbatim as the Pusher data string');

    // A payload that is not JSON stays a plain string.
    await cp.publish({ channels: [ch], name: 'plain', data: 'just text, not JSON' });
    const plain = await raw.waitEvent('plain', { channel: ch });
    assert.equal(plain.dataRaw, 'just text, not JSON');
    await sleep(200);
    assert.equal(got.length, 1, 'order.shipped delivered more than once');
  });

  test('one event to several channels reaches each subscribed channel once', async () => {
    const a = await subscriber(['grpc-multi-a', 'grpc-multi-b']);
    const b = await subscriber(['grpc-multi-c']);
    await cp.publish({
      channels: ['grpc-multi-a', 'grpc-multi-b', 'grpc-multi-c', 'grpc-multi-nobody'],
      name: 'fan',
      data: '{"n":1}',
    });
    await eventually('fan on both clients', () =>
      receivedFrames(a.client, 'fan').length === 2 && receivedFrames(b.client, 'fan').length === 1,
    );
    await sleep(200);
    assert.deepEqual(receivedFrames(a.client, 'fan').map((f) => f.channel).sort(), ['grpc-multi-a', 'grpc-multi-b']);
    assert.deepEqual(receivedFrames(b.client, 'fan').map((f) => f.channel), ['grpc-multi-c']);
    for (const f of [...receivedFrames(a.client, 'fan'), ...receivedFrames(b.client, 'fan')]) {
      assert.deepEqual(f.data, { n: 1 });
    }
  });

  test('socket_id excludes exactly that connection', async () => {
    const ch = 'grpc-exclude';
    const publisher = await subscriber([ch]);
    const other = await subscriber([ch]);
    const excluded = publisher.client.connection.socket_id;
    assert.match(excluded, /^\d+\.\d+$/);

    await cp.publish({ channels: [ch], name: 'saved', data: '{"v":1}', socket_id: excluded });
    await eventually('saved on the other client', () => receivedFrames(other.client, 'saved').length === 1);
    await sleep(300);
    assert.equal(receivedFrames(publisher.client, 'saved').length, 0, 'the excluded socket received the event');

    // Without socket_id both get it (the excluded client really was subscribed).
    await cp.publish({ channels: [ch], name: 'saved', data: '{"v":2}' });
    await eventually('second saved on both', () =>
      receivedFrames(publisher.client, 'saved').length === 1 && receivedFrames(other.client, 'saved').length === 2,
    );
    assert.deepEqual(receivedFrames(publisher.client, 'saved')[0].data, { v: 2 });
  });

  test('include_channel_info returns subscription_count, and user_count for presence channels', async () => {
    const pub = 'grpc-info-pub';
    const pres = 'presence-grpc-info';
    await subscriber([pub]);
    await subscriber([pub]);
    await subscriber([pres], presenceAs('alice'));
    await subscriber([pres], presenceAs('alice')); // second tab of the same user
    await subscriber([pres], presenceAs('bob'));

    const response = await cp.publish({
      channels: [pub, pres],
      name: 'counted',
      data: '{}',
      include_channel_info: true,
    });
    assert.equal(response.channels[pub]?.subscription_count, 2, JSON.stringify(response));
    assert.equal(response.channels[pub].user_count, undefined, 'user_count set for a public channel');
    assert.equal(response.channels[pres]?.subscription_count, 3, JSON.stringify(response));
    assert.equal(response.channels[pres].user_count, 2, JSON.stringify(response));
  });
});

describe('Publish authentication and app checks', () => {
  const request = { channels: ['grpc-auth-guard'], name: 'guarded', data: '"x"' };

  test('no authorization metadata -> UNAUTHENTICATED', async () => {
    await expectCode(cp.publish(request, { token: null }), Status.UNAUTHENTICATED);
  });

  test('wrong token -> UNAUTHENTICATED, and nothing is delivered', async () => {
    const { client } = await subscriber(['grpc-auth-guard']);
    await expectCode(cp.publish(request, { token: 'f'.repeat(64) }), Status.UNAUTHENTICATED);
    // The secret itself is not the token either.
    await expectCode(cp.publish(request, { token: TEST_APP.secret }), Status.UNAUTHENTICATED);
    await sleep(300);
    assert.equal(receivedFrames(client, 'guarded').length, 0, 'an unauthenticated publish was delivered');
  });

  test("a valid token of another app -> PERMISSION_DENIED; that app's own calls work", async () => {
    await expectCode(cp.publish(request, { token: derivedToken(OTHER_APP) }), Status.PERMISSION_DENIED);
    const other = controlPlane(gw, { app: OTHER_APP });
    const response = await other.publish(request);
    assert.deepEqual(response.channels, {});
  });

  test('unknown app_id -> NOT_FOUND', async () => {
    await expectCode(cp.publish({ ...request, app_id: 'no-such-app' }), Status.NOT_FOUND);
  });

  test('app enabled:false -> PERMISSION_DENIED', async () => {
    const disabled = controlPlane(gw, { app: DISABLED_APP });
    await expectCode(disabled.publish(request), Status.PERMISSION_DENIED);
  });

  test('grpc_token "custom" is accepted and the derived token is then rejected', async () => {
    const ch = 'grpc-custom-token';
    const { channels: [channel] } = await subscriber([ch], { app: CUSTOM_TOKEN_APP });
    const got = collect(channel, 'hello');
    const custom = controlPlane(gw, { app: CUSTOM_TOKEN_APP, token: 'custom' });
    await custom.publish({ channels: [ch], name: 'hello', data: '{"via":"custom"}' });
    await eventually('hello via the custom token', () => got.length === 1);
    assert.deepEqual(got[0].data, { via: 'custom' });

    const derived = controlPlane(gw, { app: CUSTOM_TOKEN_APP, token: derivedToken(CUSTOM_TOKEN_APP) });
    await expectCode(derived.publish({ channels: [ch], name: 'hello', data: '{}' }), Status.UNAUTHENTICATED);
    await sleep(200);
    assert.equal(got.length, 1, 'a publish with the derived token was delivered');
  });
});

describe('Publish validation', () => {
  test('100 channels are accepted; 101 -> INVALID_ARGUMENT naming channels', async () => {
    const names = (n) => Array.from({ length: n }, (_, i) => `grpc-many-${i}`);
    await cp.publish({ channels: names(100), name: 'many', data: '{}' });
    const details = await expectCode(
      cp.publish({ channels: names(101), name: 'many', data: '{}' }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(details, /\bchannels\b/, `details do not name the field: ${details}`);
  });

  test('no channels -> INVALID_ARGUMENT naming channels', async () => {
    const details = await expectCode(cp.publish({ channels: [], name: 'e', data: '{}' }), Status.INVALID_ARGUMENT);
    assert.match(details, /\bchannels\b/, details);
  });

  test('an invalid channel name -> INVALID_ARGUMENT naming channels; nothing delivered to the valid one', async () => {
    const { client } = await subscriber(['grpc-valid-neighbour']);
    for (const bad of ['bad channel!', 'a'.repeat(165), 'caf\u00e9']) {
      const details = await expectCode(
        cp.publish({ channels: ['grpc-valid-neighbour', bad], name: 'nope', data: '{}' }),
        Status.INVALID_ARGUMENT,
      );
      assert.match(details, /\bchannels\b/, `details for ${JSON.stringify(bad)} do not name the field: ${details}`);
    }
    await sleep(200);
    assert.equal(receivedFrames(client, 'nope').length, 0);
  });

  test('event name empty or over 200 characters -> INVALID_ARGUMENT naming name', async () => {
    for (const name of ['', 'e'.repeat(201)]) {
      const details = await expectCode(
        cp.publish({ channels: ['grpc-names'], name, data: '{}' }),
        Status.INVALID_ARGUMENT,
      );
      assert.match(details, /\bname\b/, `details do not name the field: ${details}`);
    }
    await cp.publish({ channels: ['grpc-names'], name: 'e'.repeat(200), data: '{}' });
  });

  test('a malformed socket_id -> INVALID_ARGUMENT naming socket_id', async () => {
    const details = await expectCode(
      cp.publish({ channels: ['grpc-sid'], name: 'e', data: '{}', socket_id: 'not-a-socket' }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(details, /\bsocket_id\b/, details);
  });

  test('data of exactly 10 KB is delivered; 10 KB + 1 byte -> RESOURCE_EXHAUSTED and not delivered', async () => {
    const ch = 'grpc-size';
    const { channels: [channel] } = await subscriber([ch]);
    const got = collect(channel, 'big');
    await cp.publish({ channels: [ch], name: 'big', data: 'x'.repeat(10 * 1024) });
    await eventually('10 KB event', () => got.length === 1);
    assert.equal(got[0].data.length, 10 * 1024);
    await expectCode(
      cp.publish({ channels: [ch], name: 'big', data: 'y'.repeat(10 * 1024 + 1) }),
      Status.RESOURCE_EXHAUSTED,
    );
    await sleep(200);
    assert.equal(got.length, 1, 'the oversized event was delivered');
  });
});

describe('PublishBatch', () => {
  test('delivers every event and answers one result per event, in request order', async () => {
    const pub = 'grpc-batch-pub';
    const pres = 'presence-grpc-batch';
    const { client: pubClient } = await subscriber([pub]);
    await subscriber([pub]);
    const { client: presClient } = await subscriber([pres], presenceAs('carol'));

    const response = await cp.publishBatch({
      events: [
        { channel: pub, name: 'b1', data: '{"i":1}', include_channel_info: true },
        { channel: pres, name: 'b2', data: '{"i":2}', include_channel_info: true },
        { channel: pub, name: 'b3', data: '{"i":3}' },
        { channel: pres, name: 'b4', data: '{"i":4}', include_channel_info: true },
      ],
    });
    assert.equal(response.results.length, 4, JSON.stringify(response));
    assert.equal(response.results[0].info?.subscription_count, 2, JSON.stringify(response));
    assert.equal(response.results[0].info.user_count, undefined);
    assert.equal(response.results[1].info?.subscription_count, 1, JSON.stringify(response));
    assert.equal(response.results[1].info.user_count, 1);
    assert.equal(response.results[2].info, null, `info set on an event that did not ask: ${JSON.stringify(response)}`);
    assert.equal(response.results[3].info?.user_count, 1, JSON.stringify(response));

    await eventually('b1, b3 on the public subscriber', () =>
      receivedFrames(pubClient, 'b1').length + receivedFrames(pubClient, 'b3').length === 2,
    );
    await eventually('b2, b4 on the presence subscriber', () =>
      receivedFrames(presClient, 'b2').length + receivedFrames(presClient, 'b4').length === 2,
    );
    const order = pubClient.received.filter((m) => /^b\d$/.test(m.event ?? '')).map((m) => m.event);
    assert.deepEqual(order, ['b1', 'b3']);
    assert.deepEqual(receivedFrames(presClient, 'b4')[0].data, { i: 4 });
  });

  test('socket_id in a batch event excludes that connection', async () => {
    const ch = 'grpc-batch-exclude';
    const a = await subscriber([ch]);
    const b = await subscriber([ch]);
    await cp.publishBatch({
      events: [{ channel: ch, name: 'bx', data: '{}', socket_id: a.client.connection.socket_id }],
    });
    await eventually('bx on b', () => receivedFrames(b.client, 'bx').length === 1);
    await sleep(300);
    assert.equal(receivedFrames(a.client, 'bx').length, 0);
  });

  test('10 events are accepted; 11 (over the app batch limit) -> INVALID_ARGUMENT and none is sent', async () => {
    const ch = 'grpc-batch-limit';
    const { client } = await subscriber([ch]);
    const events = (n, name) => Array.from({ length: n }, (_, i) => ({ channel: ch, name, data: `{"i":${i}}` }));
    const ok = await cp.publishBatch({ events: events(10, 'ten') });
    assert.equal(ok.results.length, 10);
    await eventually('ten events', () => receivedFrames(client, 'ten').length === 10);

    const refused = await failure(cp.publishBatch({ events: events(11, 'eleven') }));
    await sleep(300);
    assert.equal(receivedFrames(client, 'eleven').length, 0, 'events of a refused batch were delivered');
    // control.proto: too many batch events is INVALID_ARGUMENT, as the HTTP API answers 400.
    assert.equal(
      refused.name,
      'INVALID_ARGUMENT',
      `11 events answered ${refused.name} (${JSON.stringify(refused.details)})`,
    );
  });

  test("errors name the PublishBatchRequest field: events[i].channel, events[i].data", async () => {
    const badChannel = await expectCode(
      cp.publishBatch({
        events: [
          { channel: 'grpc-batch-names', name: 'a', data: '{}' },
          { channel: 'bad channel!', name: 'b', data: '{}' },
        ],
      }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(badChannel, /\bevents\[1\]\.channel\b/, `details do not name the request field: ${badChannel}`);
    const bigData = await expectCode(
      cp.publishBatch({ events: [{ channel: 'grpc-batch-names', name: 'a', data: 'x'.repeat(10 * 1024 + 1) }] }),
      Status.RESOURCE_EXHAUSTED,
    );
    assert.match(bigData, /\bevents\[0\]\.data\b/, `details do not name the request field: ${bigData}`);
  });

  test('one invalid event refuses the whole batch before any is sent (INVALID_ARGUMENT)', async () => {
    const ch = 'grpc-batch-atomic';
    const { client } = await subscriber([ch]);
    await expectCode(
      cp.publishBatch({
        events: [
          { channel: ch, name: 'first', data: '{}' },
          { channel: 'bad channel!', name: 'second', data: '{}' },
        ],
      }),
      Status.INVALID_ARGUMENT,
    );
    await expectCode(
      cp.publishBatch({
        events: [
          { channel: ch, name: 'first', data: '{}' },
          { channel: ch, name: 'huge', data: 'z'.repeat(10 * 1024 + 1) },
        ],
      }),
      Status.RESOURCE_EXHAUSTED,
    );
    await sleep(300);
    assert.equal(receivedFrames(client, 'first').length, 0, 'an event of a refused batch was delivered');
  });

  test('wrong token -> UNAUTHENTICATED', async () => {
    await expectCode(
      cp.publishBatch({ events: [{ channel: 'x', name: 'e', data: '{}' }] }, { token: derivedToken(OTHER_APP).slice(1) }),
      Status.UNAUTHENTICATED,
    );
  });
});
