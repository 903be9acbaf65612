// Traffic across a cluster of three nodes on one real redis-server: what a backend publishes on
// any node (HTTP API, gRPC, batches of both) reaches every subscriber on every node exactly once
// and in the order one publisher sent it; socket_id exclusion, client events, #server-to-user
// events, terminate_connections, watchlists, cache channels, subscription counts and the gRPC
// WatchEvents stream all work across nodes; and a node follows a channel's Redis pub/sub channel
// (and so receives its traffic) only while it has subscribers there.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collect,
  connectedClient,
  createEcho,
  disconnectAndWait,
  eventually,
  jsonOf,
  receivedFrames,
  serverSdk,
  subscribe,
  subscribeOutcome,
  waitEchoConnected,
} from '../conformance/lib/clients.mjs';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { controlPlane, syncWatcher } from '../conformance/lib/grpc.mjs';
import { channelAuth, connect } from '../conformance/lib/raw_ws.mjs';
import { waitFor } from '../conformance/lib/wait.mjs';
import { metric, trafficChannel, until, useCluster } from './lib/cluster.mjs';
import { dataOf, echoSubscribed, signedInClient, unique } from './lib/clients.mjs';

const APP = { ...TEST_APP, enable_client_messages: true, enable_watchlist_events: true };
// Subscription counts make every join send count messages on the channel's pub/sub channel;
// an app of their own keeps them out of the traffic measured below.
const COUNT_APP = {
  id: 'count-app',
  key: 'count-key',
  secret: 'count-secret',
  enable_subscription_count: true,
};

const CAPPED_APP = { id: 'capped-app', key: 'capped-key', secret: 'capped-secret', max_presence_members: 2 };

const cluster = useCluster({ apps: [APP, COUNT_APP, CAPPED_APP] });
const node = (i) => cluster.nodes[i];

describe('publishes', () => {
  test('HTTP, gRPC and batches from three nodes reach every subscriber once, in each publisher\'s order', async () => {
    const channel = unique('orders');
    // Subscribers: pusher-js on nodes 0 and 2, two on node 1 (one pusher-js, one laravel-echo).
    const clients = await Promise.all([0, 1, 2].map((i) => connectedClient(node(i))));
    await Promise.all(clients.map((c) => subscribe(c, channel)));
    const echo = await waitEchoConnected(await createEcho(node(1)));
    const echoGot = [];
    const echoChannel = echo.channel(channel).listen('.ev', (e) => echoGot.push(e));
    await echoSubscribed(echoChannel, channel);

    const perPublisher = 25;
    const sdk0 = serverSdk(node(0));
    const sdk2 = serverSdk(node(2));
    const cp1 = controlPlane(node(1));
    const cp2 = controlPlane(node(2));
    const data = (p, i) => JSON.stringify({ p, i });
    // Each publisher waits for each answer before the next, as an SDK in a request handler does.
    const publishers = {
      http: async (i) => sdk0.trigger(channel, 'ev', { p: 'http', i }),
      grpc: async (i) => cp1.publish({ channels: [channel], name: 'ev', data: data('grpc', i) }),
      batch: async (i) => {
        if (i % 5 !== 0) return; // five events per batch
        await sdk2.triggerBatch(
          [0, 1, 2, 3, 4].map((k) => ({ channel, name: 'ev', data: { p: 'batch', i: i + k } })),
        );
      },
      grpcBatch: async (i) => {
        if (i % 5 !== 0) return;
        await cp2.publishBatch({
          events: [0, 1, 2, 3, 4].map((k) => ({ channel, name: 'ev', data: data('grpcBatch', i + k) })),
        });
      },
    };
    await Promise.all(
      Object.values(publishers).map(async (publish) => {
        for (let i = 0; i < perPublisher; i += 1) await publish(i);
      }),
    );
    const total = perPublisher * Object.keys(publishers).length;
    const streams = [
      ...clients.map((c, i) => ({ name: `pusher-js on node ${i}`, got: () => dataOf(c.received, 'ev', channel) })),
      { name: 'laravel-echo on node 1', got: () => echoGot },
    ];
    for (const stream of streams) {
      await eventually(`${total} events at ${stream.name}`, () => stream.got().length >= total, 10000);
    }
    // A fence from each node, after everything above: a duplicate of anything published before
    // would have arrived before the fence from the same node.
    for (let i = 0; i < 3; i += 1) await serverSdk(node(i)).trigger(channel, 'ev', { p: 'fence', i });
    for (const stream of streams) {
      await eventually(`fences at ${stream.name}`, () =>
        stream.got().filter((e) => e.p === 'fence').length === 3,
      );
      const got = stream.got().filter((e) => e.p !== 'fence');
      assert.equal(got.length, total, `${stream.name}: ${got.length} events, wanted ${total}`);
      for (const p of Object.keys(publishers)) {
        assert.deepEqual(
          got.filter((e) => e.p === p).map((e) => e.i),
          Array.from({ length: perPublisher }, (_, i) => i),
          `${stream.name}: ${p}'s events exactly once each, in the order published`,
        );
      }
    }
  });

  test('socket_id exclusion works for a socket on another node (HTTP, batch, gRPC)', async () => {
    const channel = unique('private-excl');
    const clients = await Promise.all([0, 1, 2].map((i) => connectedClient(node(i))));
    await Promise.all(clients.map((c) => subscribe(c, channel)));
    const [c0, c1, c2] = clients;
    const sid = (c) => c.connection.socket_id;
    await serverSdk(node(0)).trigger(channel, 'ev', { n: 'http' }, { socket_id: sid(c1) });
    await serverSdk(node(1)).triggerBatch([
      { channel, name: 'ev', data: { n: 'batch' }, socket_id: sid(c2) },
    ]);
    await controlPlane(node(2)).publish({
      channels: [channel],
      name: 'ev',
      data: JSON.stringify({ n: 'grpc' }),
      socket_id: sid(c0),
    });
    await serverSdk(node(2)).trigger(channel, 'ev', { n: 'last' });
    for (const c of clients) await eventually('the last event', () => dataOf(c.received, 'ev').some((e) => e.n === 'last'));
    const names = (c) => dataOf(c.received, 'ev', channel).map((e) => e.n);
    assert.deepEqual(names(c0), ['http', 'batch', 'last'], 'node 0 excluded from the gRPC publish only');
    assert.deepEqual(names(c1), ['batch', 'grpc', 'last'], 'node 1 excluded from the HTTP publish only');
    assert.deepEqual(names(c2), ['http', 'grpc', 'last'], 'node 2 excluded from the batch only');
  });

  test('a node follows a channel on Redis only while it has subscribers there, and receives nothing else', async () => {
    const channel = unique('follow');
    const pubsub = trafficChannel(channel);
    const followers = () => cluster.redis.numsub(pubsub);
    const listed = async () =>
      (await cluster.redis.raw('PUBSUB', 'CHANNELS', `${trafficChannel('follow-')}*`)).includes(pubsub);
    assert.equal(await followers(), 0);
    assert.equal(await listed(), false);

    const a = await connectedClient(node(1));
    await subscribe(a, channel);
    assert.equal(await followers(), 1, 'subscribed on Redis before subscription_succeeded');
    assert.equal(await listed(), true);
    const b = await connectedClient(node(2));
    const b2 = await connectedClient(node(2));
    await subscribe(b, channel);
    await subscribe(b2, channel);
    assert.equal(await followers(), 2, 'one Redis subscription per node, however many subscribers');

    // Ten publishes on node 1: node 2 receives exactly one message per publish, node 0 (no
    // subscriber) nothing at all. (The publishing node also hears its own echo and the other
    // nodes' delivery acks, so its count is not the channel's traffic.)
    const received = (i) => metric(node(i), 'realtime_cluster_messages_total{result="received"}');
    const delta = async (publisher, from, to) => {
      const before = await Promise.all([0, 1, 2].map(received));
      const sdk = serverSdk(node(publisher));
      for (let i = from; i < to; i += 1) await sdk.trigger(channel, 'ev', { i });
      await eventually(`${to} events at every subscriber`, () =>
        [a, b, b2].every((c) => c.connection.state !== 'connected' || dataOf(c.received, 'ev', channel).length === to),
      );
      const after = await Promise.all([0, 1, 2].map(received));
      return after.map((v, i) => v - before[i]);
    };
    const first = await delta(1, 0, 10);
    assert.equal(first[0], 0, 'node 0 follows nothing of the channel');
    assert.equal(first[2], 10, 'node 2: one message per publish');

    // Node 1's last subscriber leaves: it stops following, and stops receiving.
    await disconnectAndWait(a);
    await until('node 1 unsubscribed on Redis', async () => (await followers()) === 1);
    const second = await delta(0, 10, 20);
    assert.equal(second[1], 0, 'node 1 receives nothing once its last subscriber left');
    assert.equal(second[2], 10, 'node 2: one message per publish');

    await disconnectAndWait(b);
    assert.equal(await followers(), 1, 'node 2 still has a subscriber');
    await disconnectAndWait(b2);
    await until('nobody follows the channel', async () => (await followers()) === 0);
    assert.equal(await listed(), false);
  });
});

describe('connections across nodes', () => {
  test('client events reach the other nodes\' subscribers, not the sender; presence ones carry user_id', async () => {
    const channel = unique('private-chat');
    const a = await connectedClient(node(0));
    const c = await connectedClient(node(2));
    const [chA, chC] = await Promise.all([subscribe(a, channel), subscribe(c, channel)]);
    const echo = await waitEchoConnected(await createEcho(node(1)));
    const whispers = [];
    const echoChannel = echo.private(channel.slice('private-'.length)).listenForWhisper('typing', (e) => whispers.push(e));
    await echoSubscribed(echoChannel, channel);

    assert.equal(chA.trigger('client-move', { from: 'a' }), true);
    await eventually('client-move at node 2', () => dataOf(c.received, 'client-move', channel).length === 1);
    await eventually('client-move at node 1', () => dataOf(echo.received, 'client-move', channel).length === 1);
    echoChannel.whisper('typing', { from: 'echo' });
    await eventually('whisper at node 0 and 2', () =>
      [a, c].every((x) => dataOf(x.received, 'client-typing', channel).length === 1),
    );
    assert.equal(whispers.length, 0, 'Echo did not hear its own whisper');
    assert.equal(dataOf(a.received, 'client-move', channel).length, 0, 'the sender did not get its own event');
    assert.deepEqual(dataOf(c.received, 'client-move', channel), [{ from: 'a' }]);
    chC.trigger('client-move', { from: 'c' });
    await eventually('client-move from c at node 0', () => dataOf(a.received, 'client-move', channel).length === 1);

    const room = unique('presence-chat');
    const alice = await connectedClient(node(0), { presenceData: { user_id: 'alice', user_info: {} } });
    const bob = await connectedClient(node(1), { presenceData: { user_id: 'bob', user_info: {} } });
    const [roomA, roomB] = await Promise.all([subscribe(alice, room), subscribe(bob, room)]);
    const heard = collect(roomB, 'client-hi');
    roomA.trigger('client-hi', { x: 1 });
    await eventually('client-hi at bob', () => heard.length === 1);
    assert.deepEqual(heard[0].data, { x: 1 });
    assert.equal(heard[0].metadata?.user_id, 'alice', 'user_id of the sender, across nodes');
  });

  test('#server-to-user events reach every connection of the user on every node, once', async () => {
    const alice1 = await signedInClient(node(1), { id: 'stu-alice' });
    const alice2 = await signedInClient(node(2), { id: 'stu-alice' });
    const bob = await signedInClient(node(0), { id: 'stu-bob' });
    const got = [alice1, alice2, bob].map((c) => {
      const events = [];
      c.user.bind('notice', (data) => events.push(data));
      return events;
    });
    await serverSdk(node(0)).sendToUser('stu-alice', 'notice', { via: 'http' });
    await controlPlane(node(2)).sendToUser({ user_id: 'stu-alice', name: 'notice', data: '{"via":"grpc"}' });
    await serverSdk(node(1)).sendToUser('stu-bob', 'notice', { via: 'fence' });
    await eventually('bob\'s notice', () => got[2].length === 1);
    await eventually('both notices at both alice connections', () => got[0].length >= 2 && got[1].length >= 2);
    // The fence to alice's nodes: one more, published on bob's node.
    await serverSdk(node(0)).sendToUser('stu-alice', 'notice', { via: 'fence' });
    await eventually('the fence at alice', () => got[0].length >= 3 && got[1].length >= 3);
    for (const events of got.slice(0, 2)) {
      assert.deepEqual(events, [{ via: 'http' }, { via: 'grpc' }, { via: 'fence' }]);
    }
    assert.deepEqual(got[2], [{ via: 'fence' }], 'bob got only his own');
  });

  test('terminate_connections closes the user\'s connections on every node with 4009, no one else\'s', async () => {
    const user = unique('term');
    const tab1 = await signedInClient(node(1), { id: user });
    const tab2 = await signedInClient(node(2), { id: user });
    // A raw socket signed in as the same user on node 2, to read the close code on the wire.
    const raw = await connect(node(2).wsUrl());
    const signin = serverSdk(node(2)).authenticateUser(raw.socketId, { id: user });
    raw.send({ event: 'pusher:signin', data: signin });
    await raw.waitEvent('pusher:signin_success');
    const other = await signedInClient(node(1), { id: unique('other') });

    await serverSdk(node(0)).terminateUserConnections(user);
    const close = await raw.waitClose();
    assert.equal(close.code, 4009);
    await eventually('both tabs leave "connected"', () =>
      tab1.connection.state !== 'connected' && tab2.connection.state !== 'connected',
    );
    // The other user is still served, over the same node.
    const got = [];
    other.user.bind('still-here', (d) => got.push(d));
    await serverSdk(node(0)).sendToUser(other.user.user_data.id, 'still-here', { ok: true });
    await eventually('the other user is still reachable', () => got.length === 1);
    assert.equal(other.connection.state, 'connected');
  });

  test('watchlist online/offline follow a user\'s first and last connection on any node', async () => {
    const watched = unique('watched');
    const already = unique('already');
    const early = await signedInClient(node(2), { id: already });
    const watcher = await connectedClient(node(0), { user: { id: unique('watcher'), watchlist: [watched, already] } });
    const events = [];
    watcher.user.watchlist.bind('online', (e) => events.push(['online', ...e.user_ids]));
    watcher.user.watchlist.bind('offline', (e) => events.push(['offline', ...e.user_ids]));
    watcher.signin();
    await eventually('the user online on node 2 reported at sign-in', () => events.length === 1);
    assert.deepEqual(events, [['online', already]]);

    const tab1 = await signedInClient(node(1), { id: watched });
    await eventually('online from node 1', () => events.length === 2);
    const tab2 = await signedInClient(node(2), { id: watched });
    await disconnectAndWait(tab1);
    await disconnectAndWait(tab2);
    await eventually('offline after the last tab', () => events.some(([kind]) => kind === 'offline'));
    // Both changes travel on one ordered channel: a second online would have come before this.
    assert.deepEqual(events, [['online', already], ['online', watched], ['offline', watched]]);
    await disconnectAndWait(early);
    await eventually('offline of the early user', () => events.length === 4);
    assert.deepEqual(events[3], ['offline', already]);
  });

  test('a cache channel\'s last event is found by a subscriber on another node', async () => {
    const channel = unique('cache-prices');
    await serverSdk(node(0)).trigger(channel, 'price', { v: 1 });
    await serverSdk(node(1)).trigger(channel, 'price', { v: 2 });
    const late = await connectedClient(node(2));
    await subscribe(late, channel);
    await eventually('the cached event', () => dataOf(late.received, 'price', channel).length === 1);
    assert.deepEqual(dataOf(late.received, 'price', channel), [{ v: 2 }], 'the last one, from node 1');
    assert.equal(receivedFrames(late, 'pusher:cache_miss', channel).length, 0);

    const empty = unique('cache-empty');
    const c = await connectedClient(node(1));
    await subscribe(c, empty);
    await eventually('cache_miss', () => receivedFrames(c, 'pusher:cache_miss', empty).length === 1);
  });

  test('max_presence_members counts the cluster\'s members', async () => {
    const channel = unique('presence-capped');
    const member = (i, id) =>
      connectedClient(node(i), { app: CAPPED_APP, presenceData: { user_id: id, user_info: {} } });
    const users = async (i) =>
      (await jsonOf(serverSdk(node(i), CAPPED_APP).get({ path: `/channels/${channel}/users` }))).users.map((u) => u.id).sort();
    const one = await member(0, 'one');
    await subscribe(one, channel);
    await subscribe(await member(1, 'two'), channel);
    const three = await member(2, 'three');
    const refused = await subscribeOutcome(three, channel);
    assert.equal(refused.ok, false, 'a third user on a third node was admitted');
    assert.equal(refused.error.type, 'LimitReached');
    assert.equal(refused.error.status, 4100);
    const again = await subscribeOutcome(await member(2, 'two'), channel);
    assert.equal(again.ok, true, `a second connection of a member refused: ${JSON.stringify(again.error)}`);
    assert.deepEqual(await users(2), ['one', 'two']);
    // A fence on the channel, published after the refusal: an announcement of three (or of two's
    // second connection) would reach `one` before it.
    await serverSdk(node(2), CAPPED_APP).trigger(channel, 'fence', {});
    await eventually('the fence at one', () => receivedFrames(one, 'fence', channel).length === 1);
    assert.deepEqual(dataOf(one.received, 'pusher_internal:member_added', channel).map((m) => m.user_id), ['two']);
    await disconnectAndWait(one);
    await until('one gone from the roster', async () => (await users(1)).length === 1);
    const four = await subscribeOutcome(await member(2, 'four'), channel);
    assert.equal(four.ok, true, `a user below the limit refused: ${JSON.stringify(four.error)}`);
  });

  test('subscription counts are the cluster\'s', async () => {
    const channel = unique('counted');
    const clients = await Promise.all([0, 1, 2].map((i) => connectedClient(node(i), { app: COUNT_APP })));
    const lastCount = (c) => {
      const counts = dataOf(c.received, 'pusher_internal:subscription_count', channel);
      return counts.at(-1)?.subscription_count;
    };
    for (const c of clients) await subscribe(c, channel);
    await eventually('every client counts 3', () => clients.every((c) => lastCount(c) === 3), 5000);
    await disconnectAndWait(clients[1]);
    await eventually('the others count 2', () => lastCount(clients[0]) === 2 && lastCount(clients[2]) === 2, 5000);
  });
});

describe('WatchEvents', () => {
  test('a stream on one node reports what clients on the other nodes do, once each', async () => {
    const cp = controlPlane(node(0));
    const watcher = cp.watchEvents({ channel_prefix: 'presence-watched-' });
    let probes = 0;
    // Registered (and the other nodes told to forward) once a probe on node 2 comes through.
    await syncWatcher(watcher, async () => {
      const raw = await connect(node(2).wsUrl());
      const probe = `presence-watched-probe-${(probes += 1)}`;
      const data = JSON.stringify({ user_id: 'probe', user_info: {} });
      await raw.subscribe(probe, { auth: channelAuth(raw.socketId, probe, data), channel_data: data });
      raw.terminate();
      return probe;
    });
    const channel = unique('presence-watched-room');
    const member = (i, id) => connectedClient(node(i), { presenceData: { user_id: id, user_info: {} } });
    const alice1 = await member(1, 'alice');
    const alice2 = await member(2, 'alice');
    const bob = await member(2, 'bob');
    await subscribe(alice1, channel);
    const room2 = await subscribe(alice2, channel);
    await subscribe(bob, channel);
    room2.trigger('client-wave', { hi: 1 });
    await watcher.nextOf('CLIENT_EVENT', channel);
    await Promise.all([alice1, alice2, bob].map((c) => disconnectAndWait(c)));
    await watcher.nextOf('CHANNEL_VACATED', channel, () => true, 5000);
    const kinds = watcher
      .all((e) => e.channel === channel)
      .map((e) => `${e.kind}${e.user_id ? ` ${e.user_id}` : ''}`);
    const sorted = (list) => [...list].sort();
    assert.equal(kinds[0], 'CHANNEL_OCCUPIED');
    assert.equal(kinds.at(-1), 'CHANNEL_VACATED');
    assert.deepEqual(
      sorted(kinds),
      sorted([
        'CHANNEL_OCCUPIED',
        'MEMBER_ADDED alice',
        'MEMBER_ADDED bob',
        'CLIENT_EVENT alice',
        'MEMBER_REMOVED alice',
        'MEMBER_REMOVED bob',
        'CHANNEL_VACATED',
      ]),
      `each once: ${JSON.stringify(kinds)}`,
    );
    const client = watcher.all((e) => e.kind === 'CLIENT_EVENT' && e.channel === channel)[0];
    assert.equal(client.event, 'client-wave');
    assert.equal(client.socket_id, alice2.connection.socket_id);
  });
});
