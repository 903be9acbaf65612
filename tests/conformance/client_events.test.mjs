// Client events (`client-*`) sent by pusher-js 8.6.0 through the real gateway: delivery to the
// other subscribers of private and presence channels (never back to the sender), the presence
// user_id metadata, and rejection when the app disables them, on public channels, and above the
// per-connection rate limit (pusher:error 4301, connection kept).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep } from './lib/wait.mjs';
import {
  collect,
  connectedClient,
  connectionError,
  disconnectAll,
  eventually,
  receivedFrames,
  serverSdk,
  subscribe,
} from './lib/clients.mjs';

const NO_CLIENT_EVENTS_APP = Object.freeze({
  id: 'no-client-events',
  key: 'no-client-events-key',
  secret: 'no-client-events-secret',
  enable_client_messages: false,
});

const RATE_LIMITED_APP = Object.freeze({
  id: 'rate-limited',
  key: 'rate-limited-key',
  secret: 'rate-limited-secret',
  enable_client_messages: true,
  max_client_events_per_second: 2,
});

let gw;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, NO_CLIENT_EVENTS_APP, RATE_LIMITED_APP] });
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  await gw?.stop();
});

// `count` connected clients of `app`, each subscribed to `channel`; presence users are u0, u1...
async function subscribers(count, channel, app = TEST_APP) {
  const clients = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      connectedClient(gw, { app, presenceData: { user_id: `u${i}`, user_info: { n: i } } }),
    ),
  );
  const channels = [];
  for (const c of clients) channels.push(await subscribe(c, channel));
  return { clients, channels };
}

describe('delivery', () => {
  test('private channel: reaches every other subscriber, not the sender', async () => {
    const name = 'private-chat';
    const { clients, channels } = await subscribers(3, name);
    const got = channels.map((c) => collect(c, 'client-typing'));
    const payload = { text: 'héllo', n: [1, 2, { x: null }] };
    assert.equal(channels[0].trigger('client-typing', payload), true);
    await eventually('client-typing on both receivers', () => got[1].length === 1 && got[2].length === 1);
    await sleep(300);
    assert.equal(got[0].length, 0, 'sender received its own client event');
    assert.equal(receivedFrames(clients[0], 'client-typing').length, 0);
    for (const g of got.slice(1)) {
      assert.deepEqual(g[0].data, payload);
      assert.equal(g[0].metadata.user_id, undefined);
    }
    const [frame] = receivedFrames(clients[1], 'client-typing');
    assert.equal(frame.channel, name);
    assert.equal(clients[0].errors.length, 0, `sender got errors: ${JSON.stringify(clients[0].errors)}`);
  });

  test('presence channel: receivers get metadata {user_id} of the sender', async () => {
    const name = 'presence-chat';
    const { clients, channels } = await subscribers(2, name);
    const gotSender = collect(channels[0], 'client-wave');
    const gotReceiver = collect(channels[1], 'client-wave');
    channels[0].trigger('client-wave', { hand: 'left' });
    await eventually('client-wave on the receiver', () => gotReceiver.length === 1);
    assert.deepEqual(gotReceiver[0].data, { hand: 'left' });
    assert.deepEqual(gotReceiver[0].metadata, { user_id: 'u0' });
    const [frame] = receivedFrames(clients[1], 'client-wave', name);
    assert.equal(frame.user_id, 'u0');
    await sleep(200);
    assert.equal(gotSender.length, 0, 'sender received its own client event');
  });

  test('string data is forwarded unchanged', async () => {
    const { channels } = await subscribers(2, 'private-strings');
    const got = collect(channels[1], 'client-s');
    channels[0].trigger('client-s', 'just a string');
    await eventually('client-s', () => got.length === 1);
    assert.equal(got[0].data, 'just a string');
  });

  test('a sender not subscribed to the channel reaches nobody', async () => {
    const name = 'private-members-only';
    const { channels } = await subscribers(1, name);
    const got = collect(channels[0], 'client-intrude');
    const outsider = await connectedClient(gw);
    outsider.send_event('client-intrude', { x: 1 }, name);
    await sleep(400);
    assert.equal(got.length, 0, 'client event from a non-subscriber was delivered');
  });
});

describe('rejection', () => {
  test('app with enable_client_messages false: sender gets pusher:error 4009, nobody receives', async () => {
    const name = 'private-disabled';
    const { clients, channels } = await subscribers(2, name, NO_CLIENT_EVENTS_APP);
    const got = collect(channels[1], 'client-nope');
    channels[0].trigger('client-nope', { x: 1 });
    const err = await connectionError(clients[0], 4009);
    assert.equal(typeof err.data.message, 'string');
    await sleep(300);
    assert.equal(got.length, 0, 'client event delivered although the app disables them');
    assert.equal(clients[0].connection.state, 'connected');
  });

  test('public channel: sender gets pusher:error 4009, nobody receives', async () => {
    const name = 'public-no-client-events';
    const { clients, channels } = await subscribers(2, name);
    const got = collect(channels[1], 'client-shout');
    channels[0].trigger('client-shout', { loud: true });
    await connectionError(clients[0], 4009);
    await sleep(300);
    assert.equal(got.length, 0, 'client event delivered on a public channel');
    assert.equal(clients[0].connection.state, 'connected');
  });

  test('private-encrypted channel: client events are not forwarded', async () => {
    // pusher-js refuses to trigger on encrypted channels; send the frame it would have sent.
    const name = 'private-encrypted-no-client-events';
    const encSdk = serverSdk(gw, TEST_APP, {
      encryptionMasterKeyBase64: randomBytes(32).toString('base64'),
    });
    const receiver = await connectedClient(gw, { sdk: encSdk });
    await subscribe(receiver, name);
    const sender = await connectedClient(gw, { sdk: encSdk });
    await subscribe(sender, name);
    sender.send_event('client-plain', { not: 'encrypted' }, name);
    await sleep(400);
    assert.equal(receivedFrames(receiver, 'client-plain').length, 0, 'client event forwarded on an encrypted channel');
  });
});

describe('rate limit', () => {
  test('max_client_events_per_second 2: a burst of 10 gets pusher:error 4301, the connection stays, ~2 are delivered', async () => {
    const name = 'private-burst';
    const { clients, channels } = await subscribers(2, name, RATE_LIMITED_APP);
    const got = collect(channels[1], 'client-burst');
    for (let i = 0; i < 10; i += 1) channels[0].trigger('client-burst', { i });
    const err = await connectionError(clients[0], 4301);
    assert.equal(typeof err.data.message, 'string');
    await sleep(400);
    assert.ok(got.length >= 1 && got.length <= 3, `delivered ${got.length} of 10 with a limit of 2/s`);
    assert.deepEqual(got[0].data, { i: 0 }, 'the first event of the burst was not the one delivered');
    assert.equal(clients[0].connection.state, 'connected');
    assert.equal(receivedFrames(clients[0], 'client-burst').length, 0);

    // After the window the same connection may send again.
    await sleep(1100);
    const before = got.length;
    channels[0].trigger('client-burst', { i: 'later' });
    await eventually('client event after the rate window', () => got.length === before + 1);
    assert.deepEqual(got.at(-1).data, { i: 'later' });
  });

  test('the default limit (10/s) lets a small burst through', async () => {
    const name = 'private-small-burst';
    const { clients, channels } = await subscribers(2, name);
    const got = collect(channels[1], 'client-b');
    for (let i = 0; i < 5; i += 1) channels[0].trigger('client-b', { i });
    await eventually('5 client events', () => got.length === 5);
    assert.deepEqual(
      got.map((g) => g.data.i),
      [0, 1, 2, 3, 4],
    );
    assert.equal(clients[0].errors.length, 0);
  });
});
