// laravel-echo 2.5.0 on pusher-js 8.6.0 against the real gateway, with both of Echo's Pusher
// flavoured broadcasters: 'pusher' (cluster mt1, custom host) and 'reverb' (what a Laravel app
// moving off Reverb has configured). Events come from the `pusher` 5.3.4 SDK, as Laravel's
// broadcaster sends them.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep, waitFor } from './lib/wait.mjs';
import {
  createEcho,
  disconnectAll,
  disconnectEcho,
  eventually,
  forgedChannelAuthorizer,
  serverSdk,
  waitEchoConnected,
} from './lib/clients.mjs';

let gw;
let sdk;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP] });
  sdk = serverSdk(gw);
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  await gw?.stop();
});

function subscribed(echoChannel, what) {
  return waitFor(`Echo subscription to ${what}`, (resolve) => {
    echoChannel.subscribed(resolve);
    echoChannel.error((error) => resolve(Promise.reject(new Error(`${what}: ${JSON.stringify(error)}`))));
  });
}

for (const broadcaster of ['pusher', 'reverb']) {
  describe(`Echo broadcaster '${broadcaster}'`, () => {
    const suffix = `-${broadcaster}`;

    test('connects and exposes a socket id', async () => {
      const echo = await waitEchoConnected(await createEcho(gw, { broadcaster }));
      assert.equal(echo.connectionStatus(), 'connected');
      assert.match(echo.socketId(), /^\d+\.\d+$/);
    });

    test(".channel('orders').listen('.order.shipped') receives an SDK trigger", async () => {
      const echo = await createEcho(gw, { broadcaster });
      const name = `orders${suffix}`;
      const got = [];
      const channel = echo.channel(name).listen('.order.shipped', (e) => got.push(e));
      await subscribed(channel, name);
      const payload = { order: { id: 17, total: '12.50' }, note: 'größer' };
      await sdk.trigger(name, 'order.shipped', payload);
      await eventually('order.shipped via Echo', () => got.length === 1);
      assert.deepEqual(got[0], payload);
    });

    test('namespaced listen maps OrderShipped to App\\Events\\OrderShipped', async () => {
      const echo = await createEcho(gw, { broadcaster });
      const name = `orders-ns${suffix}`;
      const got = [];
      const channel = echo.channel(name).listen('OrderShipped', (e) => got.push(e));
      await subscribed(channel, name);
      await sdk.trigger(name, 'App\\Events\\OrderShipped', { id: 1 });
      await eventually('App\\Events\\OrderShipped via Echo', () => got.length === 1);
      assert.deepEqual(got[0], { id: 1 });
    });

    test(".private('user.1') subscribes to private-user.1 and receives events", async () => {
      const echo = await createEcho(gw, { broadcaster });
      const got = [];
      const channel = echo.private(`user.1${suffix}`).listen('.balance.updated', (e) => got.push(e));
      await subscribed(channel, `private-user.1${suffix}`);
      assert.ok(echo.connector.pusher.channel(`private-user.1${suffix}`)?.subscribed);
      await sdk.trigger(`private-user.1${suffix}`, 'balance.updated', { balance: 10 });
      await eventually('balance.updated via Echo', () => got.length === 1);
      assert.deepEqual(got[0], { balance: 10 });
    });

    test(".join('room.1') here / joining / leaving", async () => {
      const room = `room.1${suffix}`;
      const ann = { id: 1, name: 'Ann' };
      const bob = { id: 2, name: 'Bob' };
      // Laravel's channel callbacks return numeric ids; authorize through the legacy
      // `authorizer` option Echo users still configure.
      const echoA = await createEcho(gw, {
        broadcaster,
        useAuthorizerOption: true,
        presenceData: { user_id: ann.id, user_info: ann },
      });
      const hereA = [];
      const joiningA = [];
      const leavingA = [];
      echoA
        .join(room)
        .here((users) => hereA.push(users))
        .joining((user) => joiningA.push(user))
        .leaving((user) => leavingA.push(user));
      await eventually('here() on Ann', () => hereA.length === 1);
      assert.deepEqual(hereA[0], [ann]);

      const echoB = await createEcho(gw, {
        broadcaster,
        useAuthorizerOption: true,
        presenceData: { user_id: bob.id, user_info: bob },
      });
      const hereB = [];
      const joiningB = [];
      echoB
        .join(room)
        .here((users) => hereB.push(users))
        .joining((user) => joiningB.push(user));
      await eventually('here() on Bob', () => hereB.length === 1);
      assert.deepEqual(
        hereB[0].slice().sort((x, y) => x.id - y.id),
        [ann, bob],
      );
      await eventually('joining() on Ann', () => joiningA.length === 1);
      assert.deepEqual(joiningA[0], bob);

      disconnectEcho(echoB);
      await eventually('leaving() on Ann', () => leavingA.length === 1);
      assert.deepEqual(leavingA[0], bob);
      await sleep(100);
      assert.equal(joiningB.length, 0, 'Bob was told about himself joining');
      assert.equal(joiningA.length, 1);
    });

    test('whisper / listenForWhisper between two Echo instances on a private channel', async () => {
      const name = `chat.1${suffix}`;
      const echoA = await createEcho(gw, { broadcaster });
      const echoB = await createEcho(gw, { broadcaster });
      const gotA = [];
      const gotB = [];
      const chA = echoA.private(name).listenForWhisper('typing', (e) => gotA.push(e));
      const chB = echoB.private(name).listenForWhisper('typing', (e) => gotB.push(e));
      await Promise.all([subscribed(chA, `A private-${name}`), subscribed(chB, `B private-${name}`)]);
      chA.whisper('typing', { name: 'Ann', typing: true });
      await eventually('whisper on B', () => gotB.length === 1);
      assert.deepEqual(gotB[0], { name: 'Ann', typing: true });
      await sleep(200);
      assert.equal(gotA.length, 0, 'whisper echoed to its sender');
    });

    test('whisper on a presence channel carries the sender', async () => {
      const room = `whisper-room${suffix}`;
      const echoA = await createEcho(gw, { broadcaster, presenceData: { user_id: 7, user_info: { id: 7 } } });
      const echoB = await createEcho(gw, { broadcaster, presenceData: { user_id: 8, user_info: { id: 8 } } });
      const chA = echoA.join(room);
      const gotB = [];
      const chB = echoB.join(room).listenForWhisper('ping', (e) => gotB.push(e));
      await Promise.all([subscribed(chA, 'A'), subscribed(chB, 'B')]);
      chA.whisper('ping', { n: 1 });
      await eventually('presence whisper on B', () => gotB.length === 1);
      assert.deepEqual(gotB[0], { n: 1 });
      const frame = echoB.received.find((m) => m.event === 'client-ping');
      assert.equal(frame.user_id, '7');
    });

    test('.error() fires when the server rejects a forged authorization', async () => {
      const echo = await createEcho(gw, { broadcaster, authorize: forgedChannelAuthorizer(TEST_APP) });
      const errors = [];
      const got = [];
      echo
        .private(`forged${suffix}`)
        .error((e) => errors.push(e))
        .listen('.x', (e) => got.push(e));
      await eventually('Echo .error() callback', () => errors.length === 1);
      assert.equal(errors[0].type, 'AuthError');
      assert.equal(errors[0].status, 401);
      await sdk.trigger(`private-forged${suffix}`, 'x', { leaked: true });
      await sleep(300);
      assert.equal(got.length, 0, 'event delivered on a channel whose auth was rejected');
      assert.equal(echo.connectionStatus(), 'connected');
    });
  });
}
