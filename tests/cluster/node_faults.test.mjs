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
  eventually,
  jsonOf,
  receivedFrames,
  serverSdk,
  subscribe,
  waitEchoConnected,
} from '../conformance/lib/clients.mjs';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { startReceiver, webhookEvent } from '../conformance/lib/webhook_receiver.mjs';
import {
  LEASE_SECONDS,
  eventsChannel,
  killNode,
  logged,
  metric,
  until,
  useCluster,
} from './lib/cluster.mjs';
import { dataOf, echoSubscribed, signedInClient, unique } from './lib/clients.mjs';

const APP = { ...TEST_APP, enable_watchlist_events: true };
const REAP_BOUND_MS = (LEASE_SECONDS + 4) * 1000;

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
      const reaped = await Promise.all([state.a, state.b].map((i) => metric(cluster.nodes[i], 'realtime_cluster_events_total{event="node_reaped"}')));
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
      const roster = await cluster.redis.raw('HKEYS', `realtime:a${APP.id.length}:${APP.id}:roster:${state.room}`);
      assert.deepEqual(roster.sort(), ['bob', 'carol', 'echo', 'observer'], 'removed from Redis before the exit');
      assert.equal((await cluster.redis.raw('ZCARD', 'realtime:nodes'))[0], '2', 'its lease is gone');
      const took = await checkGone(cluster, state, stoppedAt);
      assert.ok(took < 10000, `member_removed ${took} ms after SIGTERM, far below the 30 s lease`);
    });
  });
}
