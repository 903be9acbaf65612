// realtime.v1 ControlPlane.GetChannel / ListChannels / ListPresenceMembers through a grpc-js
// client, with the channel state made by real pusher-js clients: counts of public and presence
// channels (a user's second tab is one user), the prefix filter, occupied-only listing, and
// presence members whose ids and user_info are exactly what pusher-js shows in channel.members.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import {
  connectedClient,
  disconnectAll,
  disconnectAndWait,
  subscribe,
} from './lib/clients.mjs';
import { closeAllGrpc, controlPlane, derivedToken, expectCode, Status } from './lib/grpc.mjs';

const OTHER_APP = Object.freeze({ id: 'grpc-q-other', key: 'grpc-q-other-key', secret: 'grpc-q-other-secret' });

let gw;
let cp;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, OTHER_APP] });
  cp = controlPlane(gw);
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  closeAllGrpc();
  await gw?.stop();
});

// A pusher-js client subscribed to `names`, presence as `presenceData` when given.
async function subscribed(names, presenceData) {
  const client = await connectedClient(gw, presenceData ? { presenceData } : {});
  const channels = [];
  for (const name of names) channels.push(await subscribe(client, name));
  return { client, channels };
}

// Polls GetChannel until `check(response)` holds (the server has processed subscribes sent on
// other sockets), bounded.
async function channelUntil(name, check, what) {
  let last;
  const deadline = Date.now() + 5000;
  for (;;) {
    last = await cp.getChannel({ channel: name });
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what ?? name}: last GetChannel ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GetChannel', () => {
  test('a public channel: occupied with its subscription_count, no user_count', async () => {
    const ch = 'grpc-q-pub';
    await subscribed([ch]);
    await subscribed([ch]);
    const response = await cp.getChannel({ channel: ch });
    assert.equal(response.occupied, true, JSON.stringify(response));
    assert.equal(response.info?.subscription_count, 2, JSON.stringify(response));
    assert.equal(response.info.user_count, undefined, 'user_count on a public channel');
  });

  test('a presence channel: subscription_count counts connections, user_count distinct users', async () => {
    const ch = 'presence-grpc-q-room';
    await subscribed([ch], { user_id: 'alice', user_info: {} });
    await subscribed([ch], { user_id: 'alice', user_info: {} });
    await subscribed([ch], { user_id: 'bob', user_info: {} });
    const response = await cp.getChannel({ channel: ch });
    assert.equal(response.occupied, true);
    assert.equal(response.info?.subscription_count, 3, JSON.stringify(response));
    assert.equal(response.info.user_count, 2, JSON.stringify(response));
  });

  test('an empty channel is not occupied; it becomes unoccupied when the last subscriber leaves', async () => {
    const empty = await cp.getChannel({ channel: 'grpc-q-nobody' });
    assert.equal(empty.occupied, false, JSON.stringify(empty));
    assert.ok(!empty.info || empty.info.subscription_count === 0, JSON.stringify(empty));

    const ch = 'grpc-q-leaving';
    const { client } = await subscribed([ch]);
    assert.equal((await cp.getChannel({ channel: ch })).occupied, true);
    await disconnectAndWait(client);
    await channelUntil(ch, (r) => r.occupied === false, `${ch} unoccupied after the last client left`);
  });

  test('an invalid channel name -> INVALID_ARGUMENT naming channel; unknown app -> NOT_FOUND', async () => {
    const details = await expectCode(cp.getChannel({ channel: 'bad name' }), Status.INVALID_ARGUMENT);
    assert.match(details, /\bchannel\b/, details);
    await expectCode(cp.getChannel({ app_id: 'no-such-app', channel: 'x' }), Status.NOT_FOUND);
  });

  test('token errors: none / wrong -> UNAUTHENTICATED, other app -> PERMISSION_DENIED', async () => {
    await expectCode(cp.getChannel({ channel: 'x' }, { token: null }), Status.UNAUTHENTICATED);
    await expectCode(cp.getChannel({ channel: 'x' }, { token: 'abc' }), Status.UNAUTHENTICATED);
    await expectCode(cp.getChannel({ channel: 'x' }, { token: derivedToken(OTHER_APP) }), Status.PERMISSION_DENIED);
  });
});

describe('ListChannels', () => {
  test('the prefix filter returns exactly the occupied channels starting with it', async () => {
    await subscribed(['grpc-ls-a', 'grpc-ls-b']);
    await subscribed(['grpc-ls-b', 'grpc-lsx-c', 'other-grpc-ls-d']);
    const response = await cp.listChannels({ prefix: 'grpc-ls-' });
    assert.deepEqual(Object.keys(response.channels).sort(), ['grpc-ls-a', 'grpc-ls-b']);
    assert.equal(response.channels['grpc-ls-a'].subscription_count, 1);
    assert.equal(response.channels['grpc-ls-b'].subscription_count, 2);
    assert.equal(response.channels['grpc-ls-a'].user_count, undefined);

    const all = await cp.listChannels({});
    for (const name of ['grpc-ls-a', 'grpc-ls-b', 'grpc-lsx-c', 'other-grpc-ls-d']) {
      assert.ok(name in all.channels, `${name} missing from the unfiltered list: ${Object.keys(all.channels)}`);
    }
    assert.ok(!('grpc-ls-never' in all.channels));
  });

  test('presence channels carry user_count; vacated channels disappear', async () => {
    const { client: a1 } = await subscribed(['presence-grpc-ls-room'], { user_id: 'u1', user_info: {} });
    await subscribed(['presence-grpc-ls-room'], { user_id: 'u1', user_info: {} });
    await subscribed(['presence-grpc-ls-room', 'presence-grpc-ls-hall'], { user_id: 'u2', user_info: {} });
    const response = await cp.listChannels({ prefix: 'presence-grpc-ls-' });
    const counts = Object.fromEntries(
      Object.entries(response.channels).map(([k, v]) => [k, [v.subscription_count, v.user_count]]),
    );
    assert.deepEqual(counts, {
      'presence-grpc-ls-hall': [1, 1],
      'presence-grpc-ls-room': [3, 2],
    });

    const { client: lone } = await subscribed(['grpc-ls-lone']);
    assert.ok('grpc-ls-lone' in (await cp.listChannels({ prefix: 'grpc-ls-lone' })).channels);
    await disconnectAndWait(lone);
    await disconnectAndWait(a1);
    const deadline = Date.now() + 5000;
    for (;;) {
      const now = await cp.listChannels({ prefix: 'grpc-ls-lone' });
      if (!('grpc-ls-lone' in now.channels)) break;
      if (Date.now() > deadline) throw new Error(`grpc-ls-lone still listed: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // u1 keeps one tab: the room still has two users, now on two connections.
    const until = Date.now() + 5000;
    let room;
    for (;;) {
      room = await cp.listChannels({ prefix: 'presence-grpc-ls-room' });
      if (room.channels['presence-grpc-ls-room']?.subscription_count === 2) break;
      if (Date.now() > until) throw new Error(`room after one tab left: ${JSON.stringify(room)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(room.channels['presence-grpc-ls-room'].user_count, 2, 'u1 still has a tab');
  });

  test('an unknown app -> NOT_FOUND; channels of another app are not listed', async () => {
    await expectCode(cp.listChannels({ app_id: 'no-such-app' }), Status.NOT_FOUND);
    await subscribed(['grpc-ls-mine']);
    const other = controlPlane(gw, { app: OTHER_APP });
    const theirs = await other.listChannels({ prefix: 'grpc-ls-' });
    assert.deepEqual(theirs.channels, {});
  });
});

describe('ListPresenceMembers', () => {
  test('ids and user_info equal what pusher-js channel.members shows, sorted by user_id', async () => {
    const ch = 'presence-grpc-members';
    await subscribed([ch], { user_id: 'carol', user_info: { name: 'Carol', tags: ['x'] } });
    await subscribed([ch], { user_id: 'alice', user_info: { name: 'Alice' } });
    await subscribed([ch], { user_id: 'alice', user_info: { name: 'Alice' } }); // second tab
    await subscribed([ch], { user_id: 'dave' }); // no user_info
    const { channels: [observed] } = await subscribed([ch], { user_id: 'bob', user_info: { n: 2 } });
    assert.equal(observed.members.count, 4);

    const response = await cp.listPresenceMembers({ channel: ch });
    const ids = response.members.map((m) => m.user_id);
    assert.deepEqual(ids, ['alice', 'bob', 'carol', 'dave'], 'members must be distinct users sorted by user_id');

    const shown = {};
    observed.members.each((m) => {
      shown[m.id] = m.info ?? null;
    });
    assert.deepEqual(Object.keys(shown).sort(), ids);
    for (const member of response.members) {
      assert.deepEqual(
        JSON.parse(member.user_info_json),
        shown[member.user_id],
        `user_info of ${member.user_id}: rpc ${member.user_info_json}, pusher-js ${JSON.stringify(shown[member.user_id])}`,
      );
    }
    assert.equal(response.members.find((m) => m.user_id === 'dave').user_info_json, 'null');
  });

  test('an empty presence channel has no members', async () => {
    const response = await cp.listPresenceMembers({ channel: 'presence-grpc-nobody' });
    assert.deepEqual(response.members, []);
  });

  test('a non-presence channel -> INVALID_ARGUMENT naming channel', async () => {
    for (const channel of ['grpc-public', 'private-grpc-x', 'private-encrypted-grpc-x']) {
      const details = await expectCode(cp.listPresenceMembers({ channel }), Status.INVALID_ARGUMENT);
      assert.match(details, /\bchannel\b/, `${channel}: ${details}`);
    }
  });
});
