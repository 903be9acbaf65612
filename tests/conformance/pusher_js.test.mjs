// pusher-js 8.6.0 (Node build) against the real gateway, fed by the `pusher` 5.3.4 HTTP SDK:
// connection handshake, public / private / private-encrypted channels, socket_id exclusion,
// batch and multi-channel triggers, auth failures, user sign-in and server-to-user events.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep, waitFor } from './lib/wait.mjs';
import {
  collect,
  connectedClient,
  connectionError,
  createPusherClient,
  disconnectAll,
  eventually,
  forgedChannelAuthorizer,
  receivedFrames,
  serverSdk,
  subscribe,
  subscribeOutcome,
  untilOccupied,
  waitConnected,
} from './lib/clients.mjs';

// An app with its own activity_timeout (seconds), which pusher:connection_established carries.
const SHORT_TIMEOUT_APP = Object.freeze({
  id: 'short-timeout',
  key: 'short-timeout-key',
  secret: 'short-timeout-secret',
  activity_timeout: 7,
});

let gw;
let sdk;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, SHORT_TIMEOUT_APP] });
  sdk = serverSdk(gw);
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  await gw?.stop();
});

describe('connection', () => {
  test('pusher-js reaches state connected with a Pusher-format socket_id', async () => {
    const client = createPusherClient(gw);
    await waitConnected(client);
    assert.equal(client.connection.state, 'connected');
    assert.match(client.connection.socket_id, /^\d+\.\d+$/);
    // pusher-js takes min(its own 120 s, the server's activity_timeout).
    assert.ok(
      client.connection.activityTimeout > 0 && client.connection.activityTimeout <= 120000,
      `activityTimeout ${client.connection.activityTimeout}`,
    );
  });

  test("the app's activity_timeout reaches pusher-js through the handshake", async () => {
    const client = await connectedClient(gw, { app: SHORT_TIMEOUT_APP });
    assert.equal(client.connection.activityTimeout, 7000);
  });

  test('two connections get different socket ids', async () => {
    const [a, b] = await Promise.all([connectedClient(gw), connectedClient(gw)]);
    assert.notEqual(a.connection.socket_id, b.connection.socket_id);
  });
});

describe('public channels', () => {
  test('subscribe gets pusher:subscription_succeeded', async () => {
    const client = await connectedClient(gw);
    const outcome = await subscribeOutcome(client, 'orders');
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(outcome.channel.subscribed, true);
    const frames = receivedFrames(client, 'pusher_internal:subscription_succeeded', 'orders');
    assert.equal(frames.length, 1);
  });

  test('SDK trigger with object data arrives with exact data, event name and channel', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'public-object');
    const got = collect(channel, 'order.shipped');
    const payload = {
      id: 42,
      nested: { list: [1, 'two', null, true], empty: {} },
      text: 'ünïcødé "quoted" \\ back\nslash ✓',
      float: 1.5,
    };
    await sdk.trigger('public-object', 'order.shipped', payload);
    await eventually('order.shipped on public-object', () => got.length === 1);
    assert.deepEqual(got[0].data, payload);
    const frames = receivedFrames(client, 'order.shipped');
    assert.equal(frames.length, 1);
    assert.equal(frames[0].channel, 'public-object');
    assert.equal(frames[0].event, 'order.shipped');
  });

  test('SDK trigger with string data arrives as the same string', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'public-string');
    const got = collect(channel, 'greeting');
    const text = 'hello "world" — not JSON: {';
    await sdk.trigger('public-string', 'greeting', text);
    await eventually('greeting on public-string', () => got.length === 1);
    assert.equal(got[0].data, text);
  });

  test('one trigger to several channels reaches each channel once', async () => {
    const client = await connectedClient(gw);
    const names = ['multi-a', 'multi-b', 'multi-c'];
    const channels = await Promise.all(names.map((n) => subscribe(client, n)));
    const got = channels.map((c) => collect(c, 'fan'));
    await sdk.trigger(names, 'fan', { n: 1 });
    await eventually('fan on all three channels', () => got.every((g) => g.length >= 1));
    await sleep(200);
    for (const g of got) {
      assert.equal(g.length, 1);
      assert.deepEqual(g[0].data, { n: 1 });
    }
    const frames = receivedFrames(client, 'fan');
    assert.deepEqual(frames.map((f) => f.channel).sort(), names);
  });

  test('a client subscribed to only some of the triggered channels gets only those', async () => {
    const client = await connectedClient(gw);
    await subscribe(client, 'partial-a');
    await sdk.trigger(['partial-a', 'partial-b'], 'partial', { ok: true });
    await eventually('partial on partial-a', () => receivedFrames(client, 'partial').length >= 1);
    await sleep(200);
    const frames = receivedFrames(client, 'partial');
    assert.deepEqual(
      frames.map((f) => f.channel),
      ['partial-a'],
    );
  });

  test('triggerBatch delivers every event of the batch', async () => {
    const client = await connectedClient(gw);
    const a = await subscribe(client, 'batch-a');
    const b = await subscribe(client, 'batch-b');
    const gotA = collect(a, 'batch-one');
    const gotB = collect(b, 'batch-two');
    await sdk.triggerBatch([
      { channel: 'batch-a', name: 'batch-one', data: { i: 1 } },
      { channel: 'batch-b', name: 'batch-two', data: 'plain string' },
      { channel: 'batch-a', name: 'batch-one', data: { i: 2 } },
    ]);
    await eventually('all batch events', () => gotA.length === 2 && gotB.length === 1);
    assert.deepEqual(
      gotA.map((g) => g.data),
      [{ i: 1 }, { i: 2 }],
    );
    assert.equal(gotB[0].data, 'plain string');
  });

  test('trigger with socket_id skips that connection and reaches the others', async () => {
    const [excluded, other] = await Promise.all([connectedClient(gw), connectedClient(gw)]);
    const chEx = await subscribe(excluded, 'exclusion');
    const chOther = await subscribe(other, 'exclusion');
    const gotEx = collect(chEx, 'update');
    const gotOther = collect(chOther, 'update');
    await sdk.trigger('exclusion', 'update', { v: 1 }, { socket_id: excluded.connection.socket_id });
    await eventually('update on the other client', () => gotOther.length === 1);
    await sleep(300);
    assert.equal(gotEx.length, 0, 'excluded socket received the event');
    assert.deepEqual(gotOther[0].data, { v: 1 });
    // Exclusion is per trigger: the next one without socket_id reaches both.
    await sdk.trigger('exclusion', 'update', { v: 2 });
    await eventually('second update on both', () => gotEx.length === 1 && gotOther.length === 2);
    assert.deepEqual(gotEx[0].data, { v: 2 });
  });

  test('unsubscribe stops delivery', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'leave-me');
    const got = collect(channel, 'tick');
    await sdk.trigger('leave-me', 'tick', { n: 1 });
    await eventually('first tick', () => got.length === 1);
    client.unsubscribe('leave-me');
    // The unsubscribe and the trigger travel on different sockets: wait until the server
    // reports the channel vacated before triggering again.
    await untilOccupied(sdk, 'leave-me', false);
    await sdk.trigger('leave-me', 'tick', { n: 2 });
    await sleep(300);
    assert.equal(receivedFrames(client, 'tick').length, 1);
  });
});

describe('private channels', () => {
  test('subscription authorized with the SDK succeeds and receives events', async () => {
    const client = await connectedClient(gw, { sdk });
    const channel = await subscribe(client, 'private-account-7');
    const got = collect(channel, 'balance');
    await sdk.trigger('private-account-7', 'balance', { cents: 1234 });
    await eventually('balance on private-account-7', () => got.length === 1);
    assert.deepEqual(got[0].data, { cents: 1234 });
  });

  test('forged signature gets pusher:subscription_error (AuthError, 401) and pusher:error 4009; other channels keep working', async () => {
    let forge = false;
    const good = (params, cb) => cb(null, sdk.authorizeChannel(params.socketId, params.channelName));
    const forged = forgedChannelAuthorizer(TEST_APP);
    const client = await connectedClient(gw, {
      authorize: (params, cb) => (forge ? forged(params, cb) : good(params, cb)),
    });
    const publicChannel = await subscribe(client, 'still-public');
    const publicGot = collect(publicChannel, 'after-error');

    forge = true;
    const outcome = await subscribeOutcome(client, 'private-forged');
    assert.equal(outcome.ok, false, 'forged auth was accepted');
    assert.equal(outcome.error.type, 'AuthError');
    assert.equal(outcome.error.status, 401);
    assert.equal(typeof outcome.error.error, 'string');
    const raw = receivedFrames(client, 'pusher:subscription_error', 'private-forged');
    assert.equal(raw.length, 1, 'server did not send pusher:subscription_error with the channel');
    const err = await connectionError(client, 4009);
    assert.equal(typeof err.data.message, 'string');

    // The connection and its other subscriptions survive.
    assert.equal(client.connection.state, 'connected');
    await sdk.trigger('still-public', 'after-error', { alive: true });
    await eventually('event on still-public after the auth error', () => publicGot.length === 1);
    assert.deepEqual(publicGot[0].data, { alive: true });

    forge = false;
    const privateChannel = await subscribe(client, 'private-after-error');
    const privateGot = collect(privateChannel, 'ok');
    await sdk.trigger('private-after-error', 'ok', { fine: 1 });
    await eventually('event on a private channel after the auth error', () => privateGot.length === 1);

    // The rejected channel is not subscribed: an event there must not arrive.
    await sdk.trigger('private-forged', 'leak', { secret: true });
    await sleep(300);
    assert.equal(receivedFrames(client, 'leak').length, 0, 'event delivered on a rejected channel');
  });

  test('a signature made for another socket is rejected', async () => {
    const victim = await connectedClient(gw);
    const thief = await connectedClient(gw, {
      authorize: (_params, cb) =>
        cb(null, sdk.authorizeChannel(victim.connection.socket_id, 'private-stolen')),
    });
    const outcome = await subscribeOutcome(thief, 'private-stolen');
    assert.equal(outcome.ok, false, 'auth for another socket_id was accepted');
    assert.equal(outcome.error.status, 401);
  });
});

describe('private-encrypted channels', () => {
  test('the client decrypts what the SDK encrypted; the server passes ciphertext untouched', async () => {
    const encryptionMasterKeyBase64 = randomBytes(32).toString('base64');
    const encSdk = serverSdk(gw, TEST_APP, { encryptionMasterKeyBase64 });
    const client = await connectedClient(gw, { sdk: encSdk });
    const name = 'private-encrypted-vault';
    const channel = await subscribe(client, name);
    const got = collect(channel, 'secret');
    const payload = { card: '4242 4242 4242 4242', amount: 99.5, tags: ['ä', 'ß'] };
    await encSdk.trigger(name, 'secret', payload);
    await eventually('decrypted secret', () => got.length === 1);
    assert.deepEqual(got[0].data, payload);

    const raw = receivedFrames(client, 'secret', name);
    assert.equal(raw.length, 1);
    const envelope = typeof raw[0].data === 'string' ? JSON.parse(raw[0].data) : raw[0].data;
    assert.equal(typeof envelope.nonce, 'string');
    assert.equal(typeof envelope.ciphertext, 'string');
    assert.equal(Buffer.from(envelope.nonce, 'base64').length, 24);
    assert.ok(!JSON.stringify(raw[0]).includes('4242'), 'plaintext visible on the wire');
  });

  test('subscription with a forged signature is rejected like a private channel', async () => {
    const client = await connectedClient(gw, {
      authorize: (_p, cb) =>
        cb(null, {
          auth: `${TEST_APP.key}:${'b'.repeat(64)}`,
          shared_secret: randomBytes(32).toString('base64'),
        }),
    });
    const outcome = await subscribeOutcome(client, 'private-encrypted-forged');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error.status, 401);
  });
});

describe('user sign-in', () => {
  test('signin succeeds and sendToUser reaches every connection of that user only', async () => {
    const aliceA = await connectedClient(gw, { user: { id: 'alice', user_info: { name: 'Alice' } } });
    const aliceB = await connectedClient(gw, { user: { id: 'alice' } });
    const bob = await connectedClient(gw, { user: { id: 'bob' } });
    const signedIn = (client) =>
      waitFor('pusher:signin_success', (resolve) => {
        client.bind('pusher:signin_success', resolve);
        client.signin();
      });
    await Promise.all([signedIn(aliceA), signedIn(aliceB), signedIn(bob)]);
    const frame = receivedFrames(aliceA, 'pusher:signin_success')[0];
    assert.ok(frame, 'no pusher:signin_success frame');
    assert.equal(JSON.parse(frame.data.user_data).id, 'alice');
    assert.equal(aliceA.user.user_data.id, 'alice');

    const got = [aliceA, aliceB, bob].map((c) => {
      const events = [];
      c.user.bind('notice', (data) => events.push(data));
      return events;
    });
    // pusher-js subscribes to #server-to-user-<id> after signin; give it time to land.
    await eventually(
      'server-to-user subscriptions',
      () =>
        [aliceA, aliceB, bob].every(
          (c) => receivedFrames(c, 'pusher_internal:subscription_succeeded').some((f) => f.channel?.startsWith('#server-to-user-')),
        ),
    );
    await sdk.sendToUser('alice', 'notice', { hi: 'alice' });
    await eventually('notice on both alice connections', () => got[0].length === 1 && got[1].length === 1);
    await sleep(300);
    assert.deepEqual(got[0][0], { hi: 'alice' });
    assert.deepEqual(got[1][0], { hi: 'alice' });
    assert.equal(got[2].length, 0, "bob's user facade got alice's event");
    assert.equal(receivedFrames(bob, 'notice').length, 0, "alice's event reached bob's socket");
  });

  test("subscribing to another user's #server-to-user channel does not receive their events", async () => {
    const alice = await connectedClient(gw, { user: { id: 'alice2' } });
    const mallory = await connectedClient(gw, { user: { id: 'mallory' } });
    for (const c of [alice, mallory]) {
      await waitFor('pusher:signin_success', (resolve) => {
        c.bind('pusher:signin_success', resolve);
        c.signin();
      });
    }
    const aliceGot = [];
    alice.user.bind('private-note', (d) => aliceGot.push(d));
    await eventually('alice2 server-to-user subscription', () =>
      receivedFrames(alice, 'pusher_internal:subscription_succeeded', '#server-to-user-alice2').length === 1,
    );
    // pusher-js refuses to subscribe to "#" channels itself; send the frame a hostile client
    // would. The answer may be an error or a (useless) success, but it must come.
    mallory.send_event('pusher:subscribe', { channel: '#server-to-user-alice2' });
    await eventually('an answer to the #server-to-user-alice2 subscribe', () =>
      mallory.received.some((m) => m.channel === '#server-to-user-alice2' || m.event === 'pusher:error'),
    );
    await sdk.sendToUser('alice2', 'private-note', { for: 'alice2' });
    await eventually('note on alice2', () => aliceGot.length === 1);
    await sleep(300);
    assert.equal(receivedFrames(mallory, 'private-note').length, 0, "mallory received alice2's event");
  });

  test('signin with a forged signature is refused with 4009', async () => {
    const client = await connectedClient(gw, {
      options: {
        userAuthentication: {
          customHandler: (_p, cb) =>
            cb(null, { auth: `${TEST_APP.key}:${'c'.repeat(64)}`, user_data: JSON.stringify({ id: 'mallory' }) }),
        },
      },
    });
    client.signin();
    const err = await connectionError(client, 4009);
    assert.equal(err.data.code, 4009);
    assert.equal(receivedFrames(client, 'pusher:signin_success').length, 0);
  });
});
