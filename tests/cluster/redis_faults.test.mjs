// Redis faults under a cluster of three nodes:
//   - Redis stopped: every node keeps serving its own clients (local publishes still delivered,
//     presence changes told to the node's own subscribers), nobody is cut off, readiness stays
//     200, queries answer 503 / UNAVAILABLE, and /metrics and the logs say the node is cut off
//     and how many publishes it could not forward.
//   - Redis restarted empty (no persistence): the nodes rebuild the cluster's state from what each
//     holds, without any client reconnecting; publishes flow between nodes again; every
//     observer's roster equals the truth, told only what really changed, never a duplicate.
//   - Every connection to Redis cut (CLIENT KILL) while Redis keeps its state: the nodes re-seed
//     under new leases and retire the old, so nothing is announced and nothing counted twice.
//   - Foreign bytes PUBLISHed on the gateway's Redis channels: ignored, counted in
//     realtime_cluster_messages_total{result="foreign"}, nothing delivered, nothing crashes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectedClient,
  disconnectAndWait,
  eventually,
  failureStatus,
  jsonOf,
  receivedFrames,
  serverSdk,
  subscribe,
} from '../conformance/lib/clients.mjs';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { Status, controlPlane, expectCode, syncWatcher } from '../conformance/lib/grpc.mjs';
import { connect } from '../conformance/lib/raw_ws.mjs';
import {
  appKey,
  eventsChannel,
  logged,
  metric,
  probe,
  trafficChannel,
  until,
  useCluster,
} from './lib/cluster.mjs';
import { dataOf, signedInClient, unique } from './lib/clients.mjs';
import { replay, subscribeRecorded } from './lib/presence_record.mjs';

const APP = { ...TEST_APP, enable_watchlist_events: true };
const connected = (gw) => metric(gw, 'realtime_cluster_connected');
// A node's id in the cluster, from its start log.
const nodeId = (gw) => logged(gw, 'cluster')[0].node;

// Every state change of a pusher-js connection after it connected: a reconnect shows here.
function watchState(client) {
  const changes = [];
  client.connection.bind('state_change', ({ current }) => changes.push(current));
  return { socketId: client.connection.socket_id, changes };
}

// The state both Redis fault tests start from, on nodes(0..2): on presence channel `room` an
// observer per node (records kept), alice on node 0, bob on nodes 1 and 2; a reader of `news` per
// node; `member(i, id)` adds a member to the room on node i.
async function spreadState(nodes, room, news) {
  const member = async (i, id) => {
    const c = await connectedClient(nodes[i], { app: APP, presenceData: { user_id: id, user_info: {} } });
    await subscribeRecorded(c, room);
    return c;
  };
  const observers = [];
  for (let i = 0; i < 3; i += 1) observers.push(await member(i, `observer-${i}`));
  const alice = await member(0, 'alice');
  const bobs = [await member(1, 'bob'), await member(2, 'bob')];
  const readers = await Promise.all([0, 1, 2].map((i) => connectedClient(nodes[i], { app: APP })));
  for (const r of readers) await subscribe(r, news);
  return { member, observers, alice, bobs, readers };
}

describe('Redis stopped, then restarted empty', () => {
  const cluster = useCluster({ apps: [APP] });
  const node = (i) => cluster.nodes[i];
  const outage = { told: [] };

  test('the nodes serve alone meanwhile and rebuild the cluster afterwards, no client reconnecting', async () => {
    const room = unique('presence-outage');
    const news = unique('news');
    const { observers, alice, bobs, readers } = await spreadState(cluster.nodes, room, news);
    const carol = await signedInClient(node(2), { id: unique('carol') }, { app: APP });
    const dave = await connectedClient(node(1), { app: APP, presenceData: { user_id: 'dave', user_info: {} } });
    const everyone = [...observers, alice, ...bobs, ...readers, carol, dave];
    const states = everyone.map(watchState);
    const notForwarded = () => metric(node(0), 'realtime_cluster_publishes_total{result="not_forwarded"}');
    const notForwardedBefore = await notForwarded();

    const marks = observers.map((o) => o.received.length);
    await cluster.redis.stop();
    for (const [i, gw] of cluster.nodes.entries()) {
      await until(`node ${i} knows it is cut off`, async () => (await connected(gw)) === 0);
      assert.equal(await probe(gw, '/readyz'), 200, `node ${i} stays ready`);
      assert.ok(logged(gw, 'cluster unreachable: serving this node\'s clients alone').length > 0, `node ${i} logs it`);
    }
    // Queries cannot answer for the cluster: refused, not answered with one node's view.
    const refused = await failureStatus(() => serverSdk(node(1), APP).get({ path: `/channels/${news}` }));
    assert.equal(refused.status, 503);
    await expectCode(controlPlane(node(2), { app: APP }).getChannel({ channel: news }), Status.UNAVAILABLE);
    // Publishes reach the publishing node's own subscribers.
    await serverSdk(node(0), APP).trigger(news, 'ev', { n: 'alone' });
    await eventually('node 0\'s reader gets the local publish', () => dataOf(readers[0].received, 'ev', news).length === 1);
    assert.equal(await notForwarded(), notForwardedBefore + 1, 'the publish counted as not forwarded');
    // Presence changes are told to the node's own clients at once.
    alice.unsubscribe(room);
    await eventually('node 0\'s observer sees alice leave', () =>
      dataOf(observers[0].received, 'pusher_internal:member_removed', room).some((m) => m.user_id === 'alice'),
    );
    await subscribeRecorded(dave, room);
    await eventually('node 1\'s observer sees dave join', () =>
      dataOf(observers[1].received, 'pusher_internal:member_added', room).some((m) => m.user_id === 'dave'),
    );

    await cluster.redis.start(); // same port, nothing in it
    for (const [i, gw] of cluster.nodes.entries()) {
      await until(`node ${i} back in the cluster`, async () => (await connected(gw)) === 1, 15000);
    }
    // The cluster's state is rebuilt from the nodes: rosters, counts, online users.
    const truth = ['bob', 'dave', 'observer-0', 'observer-1', 'observer-2'];
    for (const [i, gw] of cluster.nodes.entries()) {
      const sdk = serverSdk(gw, APP);
      await until(`node ${i}: /users rebuilt`, async () => {
        const got = await jsonOf(sdk.get({ path: `/channels/${room}/users` }));
        return JSON.stringify(got.users.map((u) => u.id).sort()) === JSON.stringify(truth);
      }, 10000);
      assert.deepEqual(
        await jsonOf(sdk.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } })),
        { occupied: true, user_count: 5, subscription_count: 6 },
        `node ${i}`,
      );
      assert.deepEqual(
        await jsonOf(sdk.get({ path: `/channels/${news}`, params: { info: 'subscription_count' } })),
        { occupied: true, subscription_count: 3 },
        `node ${i}`,
      );
    }
    const online = await cluster.redis.raw('HGET', appKey(APP, 'online'), carol.user.user_data.id);
    assert.deepEqual(online, ['1'], 'the signed-in user is online again');
    // Every observer ends at the truth (alice's leave reaches the other nodes' clients once the
    // nodes have had time to re-seed: the reconnect backoff's 5 s and two heartbeats).
    await eventually('every observer\'s roster rebuilt', () =>
      observers.every((o) => JSON.stringify(replay(o.received, room).roster) === JSON.stringify(truth)),
      15000,
    );
    for (const [i, o] of observers.entries()) {
      assert.deepEqual(replay(o.received, room).violations, [], `observer on node ${i}`);
      // For the next test: what each was told since Redis stopped.
      outage.told.push(
        o.received
          .slice(marks[i])
          .filter((m) => m.channel === room)
          .map((m) => `${m.event.replace('pusher_internal:', '')} ${m.data.user_id}`),
      );
    }
    // Publishes flow between the nodes again; what was published alone stayed on node 0.
    await until('a publish on node 1 reaches every reader', async () => {
      await serverSdk(node(1), APP).trigger(news, 'ev', { n: 'fence' });
      return readers.every((r) => dataOf(r.received, 'ev', news).some((e) => e.n === 'fence'));
    }, 10000, 200);
    assert.deepEqual(dataOf(readers[1].received, 'ev', news).map((e) => e.n).filter((n) => n !== 'fence').length, 0);
    assert.equal(dataOf(readers[0].received, 'ev', news)[0].n, 'alone');
    // Nobody was cut off or reconnected.
    for (const [k, state] of states.entries()) {
      assert.deepEqual(state.changes, [], `client ${k} changed state`);
      assert.equal(everyone[k].connection.socket_id, state.socketId, `client ${k} kept its socket`);
    }
    for (const [i, gw] of cluster.nodes.entries()) {
      assert.ok((await metric(gw, 'realtime_cluster_events_total{event="disconnect"}')) >= 1, `node ${i}`);
      assert.ok((await metric(gw, 'realtime_cluster_events_total{event="reseed"}')) >= 2, `node ${i}`);
      assert.ok(logged(gw, 'cluster joined').length >= 2, `node ${i} logs its return`);
    }
  });

  // A node that re-seeds into an empty Redis before the others finds only its own members there:
  // taken for the truth, its clients would be told that everyone else left, then came back.
  test('observers are told only what really changed meanwhile', () => {
    assert.equal(outage.told.length, 3, 'the previous test ran');
    for (const [i, told] of outage.told.entries()) {
      assert.deepEqual([...told].sort(), ['member_added dave', 'member_removed alice'], `observer on node ${i}: ${JSON.stringify(told)}`);
    }
  });
});

describe('every connection to Redis cut while Redis keeps its state', () => {
  const cluster = useCluster({ apps: [APP] });
  const node = (i) => cluster.nodes[i];

  test('the nodes reconnect and re-seed, announcing nothing and counting each share once', async () => {
    const room = unique('presence-blip');
    const news = unique('news');
    const { member, observers, readers } = await spreadState(cluster.nodes, room, news);
    const carolId = unique('carol');
    await signedInClient(node(2), { id: carolId }, { app: APP });
    const watcher = await connectedClient(node(0), { app: APP, user: { id: unique('watcher'), watchlist: [carolId] } });
    const watchlist = [];
    watcher.user.watchlist.bind('online', (e) => watchlist.push(['online', ...e.user_ids]));
    watcher.user.watchlist.bind('offline', (e) => watchlist.push(['offline', ...e.user_ids]));
    watcher.signin();
    await eventually('carol online at the watcher', () => watchlist.length === 1);
    await until('every announcement delivered', async () =>
      observers.every((o) => replay(o.received, room).roster.length === 5),
    );
    const marks = observers.map((o) => o.received.length);
    const counter = (gw, event) => metric(gw, `realtime_cluster_events_total{event="${event}"}`);
    const reseeds = await Promise.all(cluster.nodes.map((gw) => counter(gw, 'reseed')));

    await cluster.redis.raw('CLIENT', 'KILL', 'TYPE', 'normal');
    await cluster.redis.raw('CLIENT', 'KILL', 'TYPE', 'pubsub');
    for (const [i, gw] of cluster.nodes.entries()) {
      await until(`node ${i} re-seeded`, async () =>
        (await counter(gw, 'reseed')) > reseeds[i] && (await connected(gw)) === 1,
      );
    }
    // Publishes flow again (the subscriptions come back on their own connection).
    await until('a publish on node 2 reaches every reader', async () => {
      await serverSdk(node(2), APP).trigger(news, 'ev', { n: 'fence' });
      return readers.every((r) => dataOf(r.received, 'ev', news).length > 0);
    }, 10000, 200);
    // Each share counted once: the old leases' shares went when the new ones came.
    await until('the old leases retired', async () =>
      (await cluster.redis.raw('ZCARD', 'realtime:nodes'))[0] === '3',
    );
    assert.deepEqual(await cluster.redis.counts(appKey(APP, `roster-connections:${room}`)), { 'observer-0': 1, 'observer-1': 1, 'observer-2': 1, alice: 1, bob: 2 });
    assert.deepEqual(await cluster.redis.raw('HGET', appKey(APP, 'counts'), room), ['6']);
    assert.deepEqual(await cluster.redis.raw('HGET', appKey(APP, 'counts'), news), ['3']);
    assert.deepEqual(await cluster.redis.raw('HGET', appKey(APP, 'online'), carolId), ['1']);
    // A presence change after the blip is told once, and it is all anyone was told.
    await member(1, 'dave');
    await eventually('dave announced to every observer', () =>
      observers.every((o) => replay(o.received, room).roster.includes('dave')),
    );
    for (const [i, o] of observers.entries()) {
      const told = o.received
        .slice(marks[i])
        .filter((m) => m.channel === room)
        .map((m) => `${m.event.replace('pusher_internal:', '')} ${m.data.user_id}`);
      assert.deepEqual(told, ['member_added dave'], `observer on node ${i}`);
      assert.deepEqual(replay(o.received, room).violations, [], `observer on node ${i}`);
    }
    assert.deepEqual(watchlist, [['online', carolId]], 'carol never went offline');
  });
});

describe('a join on its way while the node re-seeds', () => {
  const cluster = useCluster({ count: 2, apps: [APP] });
  const node = (i) => cluster.nodes[i];

  test('is counted once: the channel is vacated when its subscriber leaves', async () => {
    const channel = unique('on-its-way');
    const counter = () => metric(node(0), 'realtime_cluster_events_total{event="reseed"}');
    const client = await connectedClient(node(0), { app: APP });
    const reseeds = await counter();
    // Node 0's command connection is cut and Redis paused: the node's SUBSCRIBE for a channel
    // new to it waits in Redis while the reconnect completes, so the node re-seeds while the
    // join waits for that subscription.
    await cluster.redis.raw('CLIENT', 'KILL', 'TYPE', 'normal');
    await cluster.redis.raw('CLIENT', 'PAUSE', '600', 'ALL');
    await subscribe(client, channel);
    await until('node 0 re-seeded', async () => (await counter()) > reseeds && (await connected(node(0))) === 1);
    await until('the old leases retired', async () =>
      (await cluster.redis.raw('ZCARD', 'realtime:nodes'))[0] === '2',
    );
    const sdk = serverSdk(node(1), APP);
    assert.deepEqual(
      await jsonOf(sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } })),
      { occupied: true, subscription_count: 1 },
    );
    await disconnectAndWait(client);
    await until('the channel vacated', async () =>
      (await jsonOf(sdk.get({ path: `/channels/${channel}` }))).occupied === false,
    ).catch(async (error) => {
      const count = await cluster.redis.raw('HGET', appKey(APP, 'counts'), channel);
      throw new Error(`${error.message}; still counted in Redis: ${JSON.stringify(count)}`);
    });
  });
});

describe('foreign bytes on the gateway\'s Redis channels', () => {
  const cluster = useCluster({ apps: [APP] });
  const node = (i) => cluster.nodes[i];

  test('are dropped and counted, deliver nothing, crash nothing', async () => {
    const news = unique('news');
    const room = unique('presence-foreign');
    const readers = await Promise.all([0, 1, 2].map((i) => connectedClient(node(i), { app: APP })));
    for (const r of readers) await subscribe(r, news);
    const member = await connectedClient(node(1), { app: APP, presenceData: { user_id: 'm', user_info: {} } });
    await subscribe(member, room);
    const eve = unique('eve');
    const signed = await signedInClient(node(2), { id: eve }, { app: APP });
    // A WatchEvents stream on node 0 makes it follow the app's events channel.
    const watcher = controlPlane(node(0), { app: APP }).watchEvents({});
    let probes = 0;
    await syncWatcher(watcher, async () => {
      const raw = await connect(node(1).wsUrl());
      const channel = `probe-${(probes += 1)}`;
      await raw.subscribe(channel);
      raw.terminate();
      return channel;
    });
    const foreign = () => Promise.all(cluster.nodes.map((gw) => metric(gw, 'realtime_cluster_messages_total{result="foreign"}')));
    const before = await foreign();

    const garbage = [
      'hello',
      'RG1',
      'RG1E',
      'RG1E3:abc', // too few fields
      'RG1E1:a1:b1:c1:d1:e1:f', // too many
      'RG1Z1:a', // unknown type
      'RG1E9999999999:x', // a length past the end
      'RG1E-1:a1:b1:c1:d',
      '{"event":"x","channel":"y","data":"{}"}', // another program's JSON
      'RG1T1:x4:40091:r', // well formed, but a termination has no business on a channel
    ];
    const user = appKey(APP, `u:${eve}`);
    const targets = [
      { channel: trafficChannel(news, APP), followers: [0, 1, 2], messages: garbage },
      { channel: trafficChannel(room, APP), followers: [1], messages: garbage },
      { channel: 'realtime:control', followers: [0, 1, 2], messages: garbage },
      { channel: user, followers: [2], messages: [...garbage.slice(0, 9), 'RG1E1:a0:0:1:x'] },
      { channel: eventsChannel(APP), followers: [0], messages: [...garbage, 'RG1V2:991:c0:0:0:0:1:0'] },
      { channel: `realtime:acks:${nodeId(node(1))}`, followers: [1], messages: garbage },
    ];
    const expected = [0, 0, 0];
    for (const { channel, followers, messages } of targets) {
      for (const message of messages) {
        const reached = Number((await cluster.redis.raw('PUBLISH', channel, message))[0]);
        assert.equal(reached, followers.length, `${channel} followed by nodes ${followers}`);
        for (const i of followers) expected[i] += 1;
      }
    }
    const deltas = await until('every foreign message counted', async () => {
      const now = await foreign();
      const d = now.map((v, i) => v - before[i]);
      return JSON.stringify(d) === JSON.stringify(expected) ? d : undefined;
    });
    assert.deepEqual(deltas, expected);
    for (const [i, gw] of cluster.nodes.entries()) {
      assert.equal(await probe(gw, '/livez'), 200, `node ${i} alive`);
      assert.ok(logged(gw, 'foreign message on a cluster channel dropped').length >= 1, `node ${i} logs it`);
    }
    // Nothing reached a client; the next real publish does, and only it.
    await serverSdk(node(0), APP).trigger(news, 'real', { ok: true });
    for (const r of readers) await eventually('the real event', () => receivedFrames(r, 'real', news).length === 1);
    for (const [i, r] of readers.entries()) {
      const events = r.received.map((m) => m.event).filter((e) => !e.startsWith('pusher'));
      assert.deepEqual(events, ['real'], `reader on node ${i}`);
    }
    assert.equal(signed.connection.state, 'connected', 'a forged termination closed no one');
    assert.equal(member.connection.state, 'connected');
    assert.equal(watcher.endInfo, undefined, 'the WatchEvents stream goes on');
    assert.deepEqual(watcher.all((e) => e.channel === 'c' || e.kind === 'KIND_UNSPECIFIED'), []);
  });
});
