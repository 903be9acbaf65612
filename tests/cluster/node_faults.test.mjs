// A node that dies (SIGKILL) or stops (SIGTERM), in a cluster of three with webhooks. The same
// state is spread over the nodes each time: on presence channel `room`, alice only on the node
// that goes, bob there and on a survivor, carol on a survivor, observers (pusher-js, laravel-echo)
// on both survivors; a public channel only the leaving node subscribes to, one it shares; a
// signed-in user only there, watched from a survivor. Then:
//   - SIGKILL: within node_lease_seconds (3) plus a few seconds, member_removed for alice (not
//     bob) reaches every observer and the webhook, channel_vacated for the channel only it had,
//     the watcher hears the user go offline, and queries on the survivors agree: no ghost user.
//   - SIGTERM: the node's members are removed (in Redis, announced) before it exits, with a
//     lease long enough (30 s) that no reaping can be what removed them.
// Each once with a node that does not send the webhooks and once with the one that does.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectedClient,
  createEcho,
  disconnectAndWait,
  eventually,
  jsonOf,
  receivedFrames,
  serverSdk,
  subscribe,
  waitEchoConnected,
} from '../conformance/lib/clients.mjs';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { connect } from '../conformance/lib/raw_ws.mjs';
import { startReceiver, webhookEvent } from '../conformance/lib/webhook_receiver.mjs';
import {
  LEASE_SECONDS,
  appKey,
  eventsChannel,
  killNode,
  logged,
  metric,
  until,
  useCluster,
} from './lib/cluster.mjs';
import { dataOf, echoSubscribed, signedInClient, unique } from './lib/clients.mjs';
import { replay, subscribeRecorded } from './lib/presence_record.mjs';

const APP = { ...TEST_APP, enable_watchlist_events: true };
const REAP_BOUND_MS = (LEASE_SECONDS + 8) * 1000;

// A cluster of three whose app sends webhooks to a receiver of its own; ready once one node
// follows the app's events to send them. `sender` is the index of that node.
function webhookCluster(config = {}) {
  let receiver;
  const cluster = useCluster(
    async () => {
      receiver = await startReceiver(APP);
      cluster.receiver = receiver;
      return { apps: [{ ...APP, webhooks: [{ url: receiver.url }] }], config: { webhook_vacate_delay_ms: 0, ...config } };
    },
    async (c) => {
      await until('the webhook sender following the events', async () => (await c.redis.numsub(eventsChannel(APP))) === 1);
      c.sender = c.nodes.findIndex((gw) => logged(gw, 'cluster: this node sends the webhooks').length > 0);
      assert.ok(c.sender >= 0, 'one node says it sends the webhooks');
    },
  );
  // Registered after useCluster's: the nodes stop (and flush their webhooks) before it closes.
  after(() => receiver?.close());
  return cluster;
}

// Spreads the state described above with `victim` the node that will go and `a`, `b` survivors.
async function spreadState(cluster, victim) {
  const [a, b] = [0, 1, 2].filter((i) => i !== victim);
  const node = (i) => cluster.nodes[i];
  const tag = unique('f');
  const room = `presence-${tag}-room`;
  const solo = `${tag}-solo`;
  const shared = `${tag}-shared`;
  const member = (i, id) => connectedClient(node(i), { app: APP, presenceData: { user_id: id, user_info: { name: id } } });
  const inRoom = async (i, id) => {
    const c = await member(i, id);
    await subscribe(c, room);
    return c;
  };
  const observer = await inRoom(a, 'observer');
  const echo = await waitEchoConnected(await createEcho(node(b), { app: APP, presenceData: { user_id: 'echo', user_info: { name: 'echo' } } }));
  const echoLeft = [];
  const echoChannel = echo.join(room.slice('presence-'.length)).leaving((m) => echoLeft.push(m));
  await echoSubscribed(echoChannel, room);
  await inRoom(victim, 'alice');
  await inRoom(victim, 'bob');
  await inRoom(a, 'bob');
  await inRoom(b, 'carol');
  const soloClient = await connectedClient(node(victim), { app: APP });
  await subscribe(soloClient, solo);
  for (const i of [victim, b]) await subscribe(await connectedClient(node(i), { app: APP }), shared);
  const dave = unique('dave');
  await signedInClient(node(victim), { id: dave }, { app: APP });
  const watcher = await connectedClient(node(a), { app: APP, user: { id: unique('watcher'), watchlist: [dave] } });
  const watchlist = [];
  watcher.user.watchlist.bind('online', (e) => watchlist.push(['online', ...e.user_ids]));
  watcher.user.watchlist.bind('offline', (e) => watchlist.push(['offline', ...e.user_ids]));
  watcher.signin();
  await eventually('dave reported online', () => watchlist.length === 1);
  await webhookEvent(cluster.receiver, { name: 'member_added', channel: room, user_id: 'carol' });
  return { a, b, room, solo, shared, dave, observer, echoLeft, watchlist };
}

// What the survivors must agree on once the victim's share is gone.
async function checkGone(cluster, state, startedAt) {
  const { a, b, room, solo, shared, dave, observer, echoLeft, watchlist } = state;
  const removedAt = await eventually(
    'member_removed alice at the observer',
    () => receivedFrames(observer, 'pusher_internal:member_removed', room).length > 0 && Date.now(),
    REAP_BOUND_MS + 2000,
  );
  const removed = dataOf(observer.received, 'pusher_internal:member_removed', room).map((m) => m.user_id);
  assert.deepEqual(removed, ['alice'], 'alice only: bob is still on a survivor');
  await eventually('Echo hears alice leave', () => echoLeft.length === 1);
  assert.deepEqual(echoLeft.map((m) => m.name), ['alice']);
  await eventually('dave offline at the watcher', () => watchlist.length === 2);
  assert.deepEqual(watchlist[1], ['offline', dave]);
  const receiver = cluster.receiver;
  await webhookEvent(receiver, { name: 'member_removed', channel: room, user_id: 'alice' }, 5000);
  await webhookEvent(receiver, { name: 'channel_vacated', channel: solo }, 5000);
  for (const i of [a, b]) {
    const sdk = serverSdk(cluster.nodes[i]);
    const users = await jsonOf(sdk.get({ path: `/channels/${room}/users` }));
    assert.deepEqual(users.users.map((u) => u.id).sort(), ['bob', 'carol', 'echo', 'observer'], `node ${i}: no ghost`);
    assert.deepEqual(
      await jsonOf(sdk.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } })),
      { occupied: true, user_count: 4, subscription_count: 4 },
      `node ${i}: the room's counts`,
    );
    assert.deepEqual(
      await jsonOf(sdk.get({ path: `/channels/${solo}`, params: { info: 'subscription_count' } })),
      { occupied: false, subscription_count: 0 },
      `node ${i}`,
    );
    assert.deepEqual(
      await jsonOf(sdk.get({ path: `/channels/${shared}`, params: { info: 'subscription_count' } })),
      { occupied: true, subscription_count: 1 },
      `node ${i}`,
    );
  }
  // The webhooks agree: alice removed once, bob never; the shared channel never vacated.
  const hooks = (channel) => receiver.events(channel).map((e) => `${e.name}${e.user_id ? ` ${e.user_id}` : ''}`);
  assert.deepEqual(hooks(room).filter((e) => e.startsWith('member_removed')), ['member_removed alice']);
  assert.equal(hooks(shared).includes('channel_vacated'), false);
  assert.deepEqual(hooks(solo), ['channel_occupied', 'channel_vacated']);
  return removedAt - startedAt;
}

for (const sender of [false, true]) {
  const which = sender ? 'the node that sends the webhooks' : 'a node';
  describe(`SIGKILL of ${which}`, () => {
    const cluster = webhookCluster();
    test(`its members are removed everywhere within the lease plus a few seconds`, async (t) => {
      const victim = sender ? cluster.sender : (cluster.sender + 1) % 3;
      const state = await spreadState(cluster, victim);
      const killedAt = Date.now();
      await killNode(cluster.nodes[victim]);
      const took = await checkGone(cluster, state, killedAt);
      t.diagnostic(`member_removed ${took} ms after SIGKILL (lease ${LEASE_SECONDS} s)`);
      assert.ok(took <= REAP_BOUND_MS, `member_removed after ${took} ms`);
      // A survivor counts the reap when the script answers, which can be after its effects show.
      let reaped = [];
      await until('a survivor counted the reap', async () => {
        reaped = await Promise.all([state.a, state.b].map((i) => metric(cluster.nodes[i], 'realtime_cluster_events_total{event="node_reaped"}')));
        return reaped[0] + reaped[1] >= 1;
      });
      assert.equal(reaped[0] + reaped[1], 1, `one survivor reaped it: ${JSON.stringify(reaped)}`);
      assert.equal((await cluster.redis.raw('ZCARD', 'realtime:nodes'))[0], '2', 'two leases left');
    });
  });

  describe(`SIGTERM of ${which}`, () => {
    // A long lease: nothing here can be the reaper's work.
    const cluster = webhookCluster({ node_lease_seconds: 30, shutdown_grace_seconds: 5 });
    test('its members are removed and announced before it exits', async () => {
      const victim = sender ? cluster.sender : (cluster.sender + 1) % 3;
      const state = await spreadState(cluster, victim);
      const stoppedAt = Date.now();
      const { code } = await cluster.nodes[victim].stop();
      assert.equal(code, 0);
      const roster = await cluster.redis.raw('HKEYS', appKey(APP, `roster:${state.room}`));
      assert.deepEqual(roster.sort(), ['bob', 'carol', 'echo', 'observer'], 'removed from Redis before the exit');
      assert.equal((await cluster.redis.raw('ZCARD', 'realtime:nodes'))[0], '2', 'its lease is gone');
      const took = await checkGone(cluster, state, stoppedAt);
      assert.ok(took < 10000, `member_removed ${took} ms after SIGTERM, far below the 30 s lease`);
    });
  });
}

describe('a node frozen past its lease (SIGSTOP), then resumed', () => {
  const cluster = webhookCluster();
  test('is reaped like a dead one, and comes back whole without its clients reconnecting', async () => {
    const victim = (cluster.sender + 1) % 3;
    const survivor = (cluster.sender + 2) % 3;
    const node = (i) => cluster.nodes[i];
    const room = unique('presence-frozen');
    const member = async (i, id) => {
      const c = await connectedClient(node(i), { app: APP, presenceData: { user_id: id, user_info: {} } });
      await subscribeRecorded(c, room);
      return c;
    };
    const watching = await member(survivor, 'observer-s');
    const frozenObserver = await member(victim, 'observer-v');
    const alice = await member(victim, 'alice');
    await member(survivor, 'bob');
    const truth = ['alice', 'bob', 'observer-s', 'observer-v'];
    const rosterOf = (c) => replay(c.received, room).roster;
    await eventually('everyone announced', () => JSON.stringify(rosterOf(watching)) === JSON.stringify(truth));
    const states = [frozenObserver, alice].map((c) => {
      const changes = [];
      c.connection.bind('state_change', ({ current }) => changes.push(current));
      return changes;
    });

    const frozenAt = Date.now();
    node(victim).proc.kill('SIGSTOP');
    try {
      // Queries read Redis and wait on no other node: a frozen peer does not hold them up (peers
      // that ask every node wait up to their 5 s request timeout here).
      const askedAt = Date.now();
      const users = await jsonOf(serverSdk(node(survivor), APP).get({ path: `/channels/${room}/users` }));
      const answeredIn = Date.now() - askedAt;
      assert.ok(answeredIn < 3000, `a query waited ${answeredIn} ms on the frozen node`);
      assert.equal(users.users.length, 4, 'not reaped yet: the frozen node\'s members are still counted');
      await eventually('the frozen node\'s members removed at the survivor', () =>
        JSON.stringify(rosterOf(watching)) === JSON.stringify(['bob', 'observer-s']),
        REAP_BOUND_MS + 2000,
      );
      const took = Date.now() - frozenAt;
      assert.ok(took <= REAP_BOUND_MS, `reaped after ${took} ms`);
      await webhookEvent(cluster.receiver, { name: 'member_removed', channel: room, user_id: 'alice' });
    } finally {
      node(victim).proc.kill('SIGCONT');
    }
    // Back: its heartbeat finds its lease gone, it re-seeds under a new one, and everyone agrees.
    await eventually('alice back at the survivor', () => JSON.stringify(rosterOf(watching)) === JSON.stringify(truth), 10000);
    await eventually('the resumed node\'s own client sees everyone', () =>
      JSON.stringify(rosterOf(frozenObserver)) === JSON.stringify(truth), 10000,
    );
    for (const [i, gw] of cluster.nodes.entries()) {
      await until(`node ${i}'s /users`, async () => {
        const got = await jsonOf(serverSdk(gw, APP).get({ path: `/channels/${room}/users` }));
        return JSON.stringify(got.users.map((u) => u.id).sort()) === JSON.stringify(truth);
      });
    }
    assert.deepEqual(await cluster.redis.counts(appKey(APP, `roster-connections:${room}`)), { alice: 1, bob: 1, 'observer-s': 1, 'observer-v': 1 }, 'each counted once');
    await until('three leases', async () => (await cluster.redis.raw('ZCARD', 'realtime:nodes'))[0] === '3');
    for (const c of [watching, frozenObserver]) assert.deepEqual(replay(c.received, room).violations, []);
    assert.deepEqual(states, [[], []], 'the frozen node\'s clients stayed connected');
    await webhookEvent(cluster.receiver, { name: 'member_added', channel: room, user_id: 'alice' });
    const hooks = cluster.receiver.events(room).filter((e) => e.user_id === 'alice').map((e) => e.name);
    assert.deepEqual(hooks, ['member_added', 'member_removed', 'member_added'], 'the webhooks agree');
  });
});

describe('webhooks while the sender is dead and its lease not yet expired', () => {
  const cluster = webhookCluster();
  test('a member who leaves a survivor meanwhile still gets member_removed', async () => {
    const [a, b] = [0, 1, 2].filter((i) => i !== cluster.sender);
    const room = unique('presence-gap');
    const member = async (i, id) => {
      const c = await connectedClient(cluster.nodes[i], { app: APP, presenceData: { user_id: id, user_info: {} } });
      await subscribe(c, room);
      return c;
    };
    const erin = await member(a, 'erin');
    await member(b, 'frank');
    await webhookEvent(cluster.receiver, { name: 'member_added', channel: room, user_id: 'frank' });
    await killNode(cluster.nodes[cluster.sender]);
    await disconnectAndWait(erin); // within the dead sender's lease: nobody sends webhooks now
    await webhookEvent(cluster.receiver, { name: 'member_removed', channel: room, user_id: 'erin' }, REAP_BOUND_MS + 3000);
    const erins = cluster.receiver.events(room).filter((e) => e.user_id === 'erin').map((e) => e.name);
    assert.deepEqual(erins, ['member_added', 'member_removed'], 'each once');
  });
});

// The events of the gap are in the apps' webhook streams (gateway/cluster/README.md, "Webhooks"),
// client events and cache misses as well as joins and leaves: the next sender reads them from the
// cursor the dead one left, so they arrive once each, in the order they happened, after what the
// dead sender had sent and with none of it again.
describe('webhooks of many joins and leaves while the sender is dead', () => {
  const cluster = webhookCluster();
  test('arrive once each and in order from the next sender', async (t) => {
    const [a, b] = [0, 1, 2].filter((i) => i !== cluster.sender);
    const tag = unique('g');
    const room = `presence-${tag}-room`;
    const solo = `${tag}-solo`;
    const cache = `cache-${tag}`;
    const member = async (i, id) => {
      const c = await connectedClient(cluster.nodes[i], { app: APP, presenceData: { user_id: id, user_info: {} } });
      await subscribe(c, room);
      return c;
    };
    await member(b, 'keeper');
    await webhookEvent(cluster.receiver, { name: 'member_added', channel: room, user_id: 'keeper' });
    const killedAt = Date.now();
    await killNode(cluster.nodes[cluster.sender]);
    // Joins and leaves on both survivors, one after the other (each one's webhook decided by
    // the script that ran it), while nobody sends webhooks.
    const u1 = await member(a, 'u1');
    const u2 = await member(b, 'u2');
    // What one node emits goes into the stream too: a client event, a cache miss.
    u2.channel(room).trigger('client-typing', { who: 'u2' });
    await disconnectAndWait(u1);
    const u3 = await member(b, 'u3');
    await disconnectAndWait(u2);
    const soloClient = await connectedClient(cluster.nodes[a], { app: APP });
    await subscribe(soloClient, solo);
    await subscribe(soloClient, cache);
    await member(a, 'u1');
    await disconnectAndWait(soloClient);
    await disconnectAndWait(u3);
    t.diagnostic(`the gap's events happened within ${Date.now() - killedAt} ms of SIGKILL (lease ${LEASE_SECONDS} s)`);
    const expected = [
      'channel_occupied',
      'member_added keeper',
      'member_added u1',
      'member_added u2',
      'member_removed u1',
      'member_added u3',
      'member_removed u2',
      'member_added u1',
      'member_removed u3',
    ];
    const story = (channel) => cluster.receiver.events(channel).map((e) => `${e.name}${e.user_id ? ` ${e.user_id}` : ''}`);
    // The client event's place among the joins and leaves of the other node is a race.
    const joinsAndLeaves = () => story(room).filter((s) => !s.startsWith('client_event'));
    await eventually('every event of the gap sent', () => story(room).length >= expected.length + 1, REAP_BOUND_MS + 5000);
    // A last event after all of them: anything sent twice would have arrived before it.
    const marker = await connectedClient(cluster.nodes[b], { app: APP });
    await subscribe(marker, `${tag}-marker`);
    await webhookEvent(cluster.receiver, { name: 'channel_occupied', channel: `${tag}-marker` });
    assert.deepEqual(joinsAndLeaves(), expected, 'once each, in the order they happened');
    assert.deepEqual(story(room).filter((s) => s.startsWith('client_event')), ['client_event u2']);
    assert.deepEqual(story(solo), ['channel_occupied', 'channel_vacated']);
    assert.deepEqual(story(cache), ['channel_occupied', 'cache_miss', 'channel_vacated']);
    const survivor = cluster.nodes.findIndex((gw, i) => i !== cluster.sender && logged(gw, 'cluster: this node sends the webhooks').length > 0);
    assert.ok(survivor >= 0, 'a survivor took over');
    assert.equal(await metric(cluster.nodes[survivor], 'realtime_cluster_webhook_stream_events_total{result="trimmed"}'), 0);
  });
});

describe('a reap cut short', () => {
  const cluster = useCluster({ count: 2 });
  test('is finished later: a dead node with a large share leaves nothing behind', async (t) => {
    const [doomed, reaper] = cluster.nodes;
    // 6,000 subscriptions on the node that dies: the reap takes 30 batches of 200.
    const CONNECTIONS = 20;
    const PER_CONNECTION = 300;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, k) => {
        const raw = await connect(doomed.wsUrl());
        for (let i = 0; i < PER_CONNECTION; i += 1) {
          raw.send({ event: 'pusher:subscribe', data: { channel: `bulk-${k}-${i}` } });
        }
        await raw.waitEvent('pusher_internal:subscription_succeeded', {
          channel: `bulk-${k}-${PER_CONNECTION - 1}`,
          timeout: 20000,
        });
      }),
    );
    const counts = appKey(TEST_APP, 'counts');
    await until('every subscription counted', async () =>
      Number((await cluster.redis.raw('HLEN', counts))[0]) === CONNECTIONS * PER_CONNECTION,
    );
    // The reaper's Redis connection is cut again and again while the lease runs out and the
    // reap begins: each attempt is cut somewhere between its batches.
    let cutting = true;
    let cuts = 0;
    const cutter = (async () => {
      while (cutting) {
        await cluster.redis.raw('CLIENT', 'KILL', 'TYPE', 'normal');
        cuts += 1;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await killNode(doomed);
    await new Promise((r) => setTimeout(r, (LEASE_SECONDS + 2) * 1000)); // the cuts go on meanwhile
    cutting = false;
    await cutter;
    t.diagnostic(`${cuts} cuts of the reaper's connections`);
    await until('the dead node\'s share gone', async () => {
      const left = Number((await cluster.redis.raw('HLEN', counts))[0]);
      const leases = Number((await cluster.redis.raw('ZCARD', 'realtime:nodes'))[0]);
      const shares = (await cluster.redis.raw('KEYS', 'realtime:node:*')).length;
      return left === 0 && leases === 1 && shares === 1;
    }, (LEASE_SECONDS + 5) * 1000, 250).catch(async (error) => {
      const left = (await cluster.redis.raw('HLEN', counts))[0];
      const shares = await cluster.redis.raw('KEYS', 'realtime:node:*');
      throw new Error(`${error.message}: ${left} channels still counted, shares ${JSON.stringify(shares)}`);
    });
    // The reaper may still wait out its reconnect backoff after the last cut.
    await until('the reaper back in the cluster', async () =>
      (await metric(reaper, 'realtime_cluster_connected')) === 1, 10000);
    assert.deepEqual(
      await jsonOf(serverSdk(reaper).get({ path: '/channels' })),
      { channels: {} },
      'no channel of the dead node listed',
    );
  });
});
