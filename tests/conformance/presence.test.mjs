// Presence channels through pusher-js 8.6.0 and the `pusher` 5.3.4 SDK: the member list a
// subscriber gets, member_added / member_removed with Pusher's per-user (not per-connection)
// semantics, user_info round trips, numeric user ids as Laravel sends them, the HTTP users
// endpoint, sign-in based membership, and the per-app member limit.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep, waitFor } from './lib/wait.mjs';
import {
  collect,
  connectedClient,
  disconnectAll,
  disconnectAndWait,
  eventually,
  jsonOf,
  receivedFrames,
  serverSdk,
  subscribe,
  subscribeOutcome,
} from './lib/clients.mjs';

const LIMITED_APP = Object.freeze({
  id: 'presence-limited',
  key: 'presence-limited-key',
  secret: 'presence-limited-secret',
  enable_client_messages: true,
  max_presence_members: 2,
});

let gw;
let sdk;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, LIMITED_APP] });
  sdk = serverSdk(gw);
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  await gw?.stop();
});

// A connected pusher-js client that authorizes presence channels as `userId` with `info`.
function member(userId, info, app = TEST_APP) {
  return connectedClient(gw, { app, presenceData: { user_id: userId, user_info: info } });
}

function membersOf(channel) {
  const list = [];
  channel.members.each((m) => list.push(m));
  return list.sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

// member_added frames a client received for `userId` on `channel`.
function addedFrames(client, channel, userId) {
  return receivedFrames(client, 'pusher_internal:member_added', channel).filter(
    (f) => f.data?.user_id === userId,
  );
}

async function usersOf(channel, theSdk = sdk) {
  const body = await jsonOf(theSdk.get({ path: `/channels/${channel}/users` }));
  return body.users.map((u) => u.id).sort();
}

describe('member list on subscription', () => {
  test('me, count and each reflect everyone present', async () => {
    const ch = 'presence-list';
    const alice = await member('alice', { name: 'Alice' });
    const aliceCh = await subscribe(alice, ch);
    assert.equal(aliceCh.members.count, 1);
    assert.deepEqual(aliceCh.members.me, { id: 'alice', info: { name: 'Alice' } });

    const bob = await member('bob', { name: 'Bob' });
    const bobCh = await subscribe(bob, ch);
    assert.equal(bobCh.members.count, 2);
    assert.deepEqual(bobCh.members.me, { id: 'bob', info: { name: 'Bob' } });
    assert.deepEqual(membersOf(bobCh), [
      { id: 'alice', info: { name: 'Alice' } },
      { id: 'bob', info: { name: 'Bob' } },
    ]);

    // The raw subscription_succeeded payload has the documented shape.
    const [frame] = receivedFrames(bob, 'pusher_internal:subscription_succeeded', ch);
    assert.ok(frame, 'no subscription_succeeded frame');
    assert.deepEqual([...frame.data.presence.ids].sort(), ['alice', 'bob']);
    assert.equal(frame.data.presence.count, 2);
    assert.deepEqual(frame.data.presence.hash, { alice: { name: 'Alice' }, bob: { name: 'Bob' } });
  });
});

describe('member_added / member_removed', () => {
  test('others see a member join and leave; the joiner gets no member_added for itself', async () => {
    const ch = 'presence-join-leave';
    const alice = await member('alice', { name: 'Alice' });
    const aliceCh = await subscribe(alice, ch);
    const added = collect(aliceCh, 'pusher:member_added');
    const removed = collect(aliceCh, 'pusher:member_removed');

    const bob = await member('bob', { name: 'Bob' });
    await subscribe(bob, ch);
    await eventually('member_added for bob on alice', () => added.length === 1);
    assert.deepEqual(added[0].data, { id: 'bob', info: { name: 'Bob' } });
    assert.equal(aliceCh.members.count, 2);

    await sleep(200);
    assert.equal(addedFrames(bob, ch, 'bob').length, 0, 'joining socket got member_added for itself');
    assert.equal(receivedFrames(bob, 'pusher_internal:member_added', ch).length, 0);

    await disconnectAndWait(bob);
    await eventually('member_removed for bob on alice', () => removed.length === 1);
    assert.deepEqual(removed[0].data, { id: 'bob', info: { name: 'Bob' } });
    const [frame] = receivedFrames(alice, 'pusher_internal:member_removed', ch);
    assert.equal(frame.data.user_id, 'bob');
    assert.equal(aliceCh.members.count, 1);
    assert.equal(added.length, 1);
  });

  test('unsubscribing (without disconnecting) also removes the member', async () => {
    const ch = 'presence-unsub';
    const alice = await member('alice', {});
    const aliceCh = await subscribe(alice, ch);
    const removed = collect(aliceCh, 'pusher:member_removed');
    const bob = await member('bob', {});
    await subscribe(bob, ch);
    await eventually('alice sees bob', () => aliceCh.members.count === 2);
    bob.unsubscribe(ch);
    await eventually('member_removed for bob', () => removed.length === 1);
    assert.equal(removed[0].data.id, 'bob');
    assert.equal(bob.connection.state, 'connected');
  });
});

describe('abrupt disconnects', () => {
  test('a connection that drops without a close frame is removed from the channel', async () => {
    const ch = 'presence-abrupt';
    const observer = await member('observer', {});
    const obsCh = await subscribe(observer, ch);
    const added = collect(obsCh, 'pusher:member_added');
    const removed = collect(obsCh, 'pusher:member_removed');
    // A raw socket (a crashed browser tab, a lost network) that joins and then just vanishes.
    const ws = new WebSocket(gw.wsUrl());
    try {
      const established = await waitFor('connection_established on the raw socket', (resolve) =>
        ws.on('message', (raw) => {
          const m = JSON.parse(raw);
          if (m.event === 'pusher:connection_established') resolve(JSON.parse(m.data));
        }),
      );
      const auth = sdk.authorizeChannel(established.socket_id, ch, { user_id: 'ghost', user_info: {} });
      ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: ch, ...auth } }));
      await eventually('member_added for ghost', () => added.length === 1);
      assert.equal(added[0].data.id, 'ghost');
    } finally {
      ws.terminate();
    }
    await eventually('member_removed for ghost after the TCP connection died', () => removed.length === 1);
    assert.equal(removed[0].data.id, 'ghost');
    assert.deepEqual(await usersOf(ch), ['observer']);
  });
});

describe('one user on several connections', () => {
  test('is one member: one member_added, count unchanged, member_removed only after the last leaves', async () => {
    const ch = 'presence-multi-tab';
    const observer = await member('observer', { role: 'watch' });
    const obsCh = await subscribe(observer, ch);
    const added = collect(obsCh, 'pusher:member_added');
    const removed = collect(obsCh, 'pusher:member_removed');

    const tab1 = await member('carol', { name: 'Carol' });
    const tab1Ch = await subscribe(tab1, ch);
    await eventually('member_added for carol', () => added.length === 1);

    const tab2 = await member('carol', { name: 'Carol' });
    const tab2Ch = await subscribe(tab2, ch);
    await sleep(300);
    assert.equal(added.length, 1, 'second connection of carol produced another member_added');
    assert.equal(addedFrames(observer, ch, 'carol').length, 1);
    assert.equal(obsCh.members.count, 2);
    assert.equal(tab2Ch.members.count, 2, 'second tab counts carol twice');
    assert.deepEqual(
      membersOf(tab2Ch).map((m) => m.id),
      ['carol', 'observer'],
    );
    // Neither tab is told that carol joined.
    assert.equal(addedFrames(tab1, ch, 'carol').length, 0, 'tab1 got member_added for its own user');
    assert.equal(addedFrames(tab2, ch, 'carol').length, 0, 'tab2 got member_added for its own user');
    assert.equal(tab1Ch.members.count, 2);
    assert.deepEqual(await usersOf(ch), ['carol', 'observer']);
    const channelInfo = await jsonOf(sdk.get({ path: `/channels/${ch}`, params: { info: 'user_count' } }));
    assert.equal(channelInfo.user_count, 2);

    await disconnectAndWait(tab1);
    await sleep(300);
    assert.equal(removed.length, 0, 'member_removed while carol still has a connection');
    assert.equal(obsCh.members.count, 2);
    assert.deepEqual(await usersOf(ch), ['carol', 'observer']);

    await disconnectAndWait(tab2);
    await eventually('member_removed for carol after her last connection', () => removed.length === 1);
    assert.equal(removed[0].data.id, 'carol');
    assert.equal(obsCh.members.count, 1);
    await sleep(200);
    assert.equal(removed.length, 1);
    assert.deepEqual(await usersOf(ch), ['observer']);
  });

  test('a repeated pusher:subscribe on the same socket adds no second member', async () => {
    const ch = 'presence-resubscribe';
    const observer = await member('observer', {});
    const obsCh = await subscribe(observer, ch);
    const added = collect(obsCh, 'pusher:member_added');
    const dave = await member('dave', {});
    await subscribe(dave, ch);
    // A second pusher:subscribe for the same channel on the same socket (pusher-js would not
    // send one; a reconnecting client library might).
    const socketId = dave.connection.socket_id;
    const auth = sdk.authorizeChannel(socketId, ch, { user_id: 'dave', user_info: {} });
    dave.send_event('pusher:subscribe', { channel: ch, auth: auth.auth, channel_data: auth.channel_data });
    await sleep(300);
    assert.equal(added.length, 1);
    assert.equal(obsCh.members.count, 2);
    assert.deepEqual(await usersOf(ch), ['dave', 'observer']);
  });
});

describe('user data', () => {
  test('user_info round-trips exactly to members and member_added', async () => {
    const ch = 'presence-info';
    const info = {
      name: 'Zoë "Z" Ünal',
      avatar: 'https://example.com/a.png?x=1&y=2',
      roles: ['admin', 'editor'],
      prefs: { theme: 'dark', n: 3.25, flags: [true, false, null] },
      emoji: '🚀',
    };
    const watcher = await member('watcher', { w: 1 });
    const watcherCh = await subscribe(watcher, ch);
    const added = collect(watcherCh, 'pusher:member_added');
    const zoe = await member('zoe', info);
    const zoeCh = await subscribe(zoe, ch);
    assert.deepEqual(zoeCh.members.me.info, info);
    assert.deepEqual(zoeCh.members.get('watcher').info, { w: 1 });
    await eventually('member_added for zoe', () => added.length === 1);
    assert.deepEqual(added[0].data.info, info);
  });

  test('a member without user_info is listed', async () => {
    const ch = 'presence-no-info';
    const a = await connectedClient(gw, { presenceData: { user_id: 'bare' } });
    const aCh = await subscribe(a, ch);
    assert.equal(aCh.members.count, 1);
    assert.equal(aCh.members.me.id, 'bare');
    assert.deepEqual(await usersOf(ch), ['bare']);
  });

  test('numeric user_id (as Laravel sends it) works and is reported as a string', async () => {
    const ch = 'presence-numeric';
    const watcher = await member('watcher', {});
    const watcherCh = await subscribe(watcher, ch);
    const added = collect(watcherCh, 'pusher:member_added');
    const removed = collect(watcherCh, 'pusher:member_removed');

    const laravelUser = await connectedClient(gw, {
      presenceData: { user_id: 42, user_info: { name: 'Taylor' } },
    });
    const lCh = await subscribe(laravelUser, ch);
    assert.equal(lCh.members.count, 2);
    assert.ok(lCh.members.me, 'members.me is null: own numeric id not in the member hash');
    assert.deepEqual(lCh.members.me.info, { name: 'Taylor' });

    await eventually('member_added for 42', () => added.length === 1);
    const [frame] = receivedFrames(watcher, 'pusher_internal:member_added', ch);
    assert.equal(frame.data.user_id, '42');
    assert.deepEqual(added[0].data, { id: '42', info: { name: 'Taylor' } });
    assert.deepEqual(await usersOf(ch), ['42', 'watcher']);

    // A second connection of user 42 sent as the string "42" is the same member.
    const same = await connectedClient(gw, { presenceData: { user_id: '42', user_info: { name: 'Taylor' } } });
    await subscribe(same, ch);
    await sleep(200);
    assert.equal(added.length, 1, '42 and "42" counted as different members');

    await disconnectAndWait(laravelUser);
    await disconnectAndWait(same);
    await eventually('member_removed for 42', () => removed.length === 1);
    assert.equal(removed[0].data.id, '42');
  });
});

describe('HTTP users endpoint', () => {
  test('GET /channels/presence-x/users matches the pusher-js member list', async () => {
    const ch = 'presence-users-match';
    const clients = await Promise.all(
      ['u1', 'u2', 'u3'].map((id) => member(id, { id })),
    );
    const channels = [];
    for (const c of clients) channels.push(await subscribe(c, ch));
    await eventually('everyone sees 3 members', () => channels.every((c) => c.members.count === 3));
    const fromClient = membersOf(channels[0]).map((m) => m.id);
    const fromApi = await usersOf(ch);
    assert.deepEqual(fromApi, fromClient);
    assert.deepEqual(fromApi, ['u1', 'u2', 'u3']);
  });
});

describe('sign-in based membership', () => {
  test('a signed-in user joins a presence channel without channel_data', async () => {
    const ch = 'presence-signed-in';
    const watcher = await member('watcher', {});
    const watcherCh = await subscribe(watcher, ch);
    const added = collect(watcherCh, 'pusher:member_added');
    const signed = await connectedClient(gw, {
      user: { id: 'signed-user', user_info: { name: 'Signed' } },
      // Private-style signature (socket_id:channel), no channel_data.
      authorize: ({ socketId, channelName }, cb) => cb(null, sdk.authorizeChannel(socketId, channelName)),
    });
    await waitFor('pusher:signin_success', (resolve) => {
      signed.bind('pusher:signin_success', resolve);
      signed.signin();
    });
    const sCh = await subscribe(signed, ch);
    assert.equal(sCh.members.me?.id, 'signed-user');
    await eventually('member_added for signed-user', () => added.length === 1);
    assert.equal(added[0].data.id, 'signed-user');
    assert.deepEqual(added[0].data.info, { name: 'Signed' });
  });
});

describe('member limit', () => {
  test('a third distinct user over max_presence_members=2 gets LimitReached (4100); existing users may add tabs', async () => {
    const ch = 'presence-capped';
    const limitedSdk = serverSdk(gw, LIMITED_APP);
    const one = await member('one', {}, LIMITED_APP);
    const oneCh = await subscribe(one, ch);
    const two = await member('two', {}, LIMITED_APP);
    await subscribe(two, ch);
    await eventually('two members', () => oneCh.members.count === 2);

    const three = await member('three', {}, LIMITED_APP);
    const outcome = await subscribeOutcome(three, ch);
    assert.equal(outcome.ok, false, 'third distinct user was admitted');
    assert.equal(outcome.error.type, 'LimitReached');
    assert.equal(outcome.error.status, 4100);
    assert.equal(three.connection.state, 'connected');
    await sleep(200);
    assert.equal(oneCh.members.count, 2, 'rejected user was announced');
    assert.deepEqual(await usersOf(ch, limitedSdk), ['one', 'two']);

    // Another connection of an existing member is no new member.
    const twoAgain = await member('two', {}, LIMITED_APP);
    const again = await subscribeOutcome(twoAgain, ch);
    assert.equal(again.ok, true, `second tab of a member rejected: ${JSON.stringify(again.error)}`);

    // Once a member leaves, a new user fits again.
    await disconnectAndWait(one);
    const deadline = Date.now() + 5000;
    let users;
    do {
      users = await usersOf(ch, limitedSdk);
      if (users.length === 1) break;
      await sleep(20);
    } while (Date.now() < deadline);
    assert.deepEqual(users, ['two']);
    const four = await member('four', {}, LIMITED_APP);
    const fits = await subscribeOutcome(four, ch);
    assert.equal(fits.ok, true, `user rejected below the limit: ${JSON.stringify(fits.error)}`);
  });

  test('user_info over max_presence_member_size_kb (1 KB) is refused and never announced', async () => {
    const ch = 'presence-big-info';
    const observer = await member('observer', {});
    const obsCh = await subscribe(observer, ch);
    const added = collect(obsCh, 'pusher:member_added');
    const big = await member('big', { blob: 'x'.repeat(2048) });
    const outcome = await subscribeOutcome(big, ch);
    assert.equal(outcome.ok, false, 'a 2 KB user_info was accepted');
    assert.equal(big.connection.state, 'connected');
    const fits = await member('fits', { blob: 'x'.repeat(900) });
    await subscribe(fits, ch);
    await eventually('member_added for fits', () => added.length === 1);
    assert.deepEqual(
      added.map((a) => a.data.id),
      ['fits'],
    );
    assert.deepEqual(await usersOf(ch), ['fits', 'observer']);
  });

  test('the limit is per app: the default app admits more than 2 users', async () => {
    const ch = 'presence-capped';
    const clients = await Promise.all(['p', 'q', 'r'].map((id) => member(id, {})));
    for (const c of clients) await subscribe(c, ch);
    assert.deepEqual(await usersOf(ch), ['p', 'q', 'r']);
  });
});
