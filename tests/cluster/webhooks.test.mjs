// Webhooks fire once per cluster: three nodes share one app whose webhook points at one receiver
// started here (every request checked with the `pusher` SDK's own validation). channel_occupied
// comes with the cluster's first subscriber and channel_vacated after its last, wherever they
// are; member_added / member_removed with a user's first and last connection anywhere; client
// events and cache misses once each; and one node sends them all.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectedClient,
  disconnectAndWait,
  subscribe,
} from '../conformance/lib/clients.mjs';
import { startReceiver, webhookEvent } from '../conformance/lib/webhook_receiver.mjs';
import { eventsChannel, logged, metric, until, useCluster } from './lib/cluster.mjs';
import { unique } from './lib/clients.mjs';

const HOOK_APP = {
  id: 'hook-app',
  key: 'hook-key',
  secret: 'hook-secret',
  enable_client_messages: true,
};

let receiver;
const cluster = useCluster(
  async () => {
    receiver = await startReceiver(HOOK_APP);
    return {
      apps: [{ ...HOOK_APP, webhooks: [{ url: receiver.url }] }],
      config: { webhook_vacate_delay_ms: 0 },
    };
  },
  // The webhook sender is chosen by the nodes' first heartbeats: events before it follows the
  // app's event stream have nobody to send them.
  ({ redis }) =>
    until('a node following the app\'s events to send its webhooks', async () =>
      (await redis.numsub(eventsChannel(HOOK_APP))) === 1,
    ),
);
// Registered after useCluster's: the nodes stop (and flush their webhooks) before it closes.
after(() => receiver?.close());
const node = (i) => cluster.nodes[i];

// What the receiver got for `channel`, as "name[ user_id]" in arrival order.
const story = (channel) =>
  receiver.events(channel).map((e) => `${e.name}${e.user_id ? ` ${e.user_id}` : ''}`);

describe('once per cluster', () => {
  test('channel_occupied on the cluster\'s first subscriber, channel_vacated after its last', async () => {
    const channel = unique('orders');
    const a = await connectedClient(node(1), { app: HOOK_APP });
    await subscribe(a, channel);
    await webhookEvent(receiver, { name: 'channel_occupied', channel });
    const b = await connectedClient(node(2), { app: HOOK_APP });
    const c = await connectedClient(node(0), { app: HOOK_APP });
    await subscribe(b, channel);
    await subscribe(c, channel);
    await disconnectAndWait(a);
    await disconnectAndWait(c);
    await disconnectAndWait(b);
    await webhookEvent(receiver, { name: 'channel_vacated', channel });
    // The events reach the receiver in the order the cluster counted them: a second occupied
    // or an early vacated would show here.
    assert.deepEqual(story(channel), ['channel_occupied', 'channel_vacated']);
  });

  test('member_added on a user\'s first connection anywhere, member_removed after the last', async () => {
    const channel = unique('presence-room');
    const member = (i, id) =>
      connectedClient(node(i), { app: HOOK_APP, presenceData: { user_id: id, user_info: {} } });
    const alice0 = await member(0, 'alice');
    const alice1 = await member(1, 'alice');
    const bob = await member(2, 'bob');
    await subscribe(alice0, channel);
    await subscribe(alice1, channel);
    await subscribe(bob, channel);
    await webhookEvent(receiver, { name: 'member_added', channel, user_id: 'bob' });
    await disconnectAndWait(alice0); // alice is still there on node 1
    await disconnectAndWait(alice1);
    await webhookEvent(receiver, { name: 'member_removed', channel, user_id: 'alice' });
    await disconnectAndWait(bob);
    await webhookEvent(receiver, { name: 'channel_vacated', channel });
    assert.deepEqual(story(channel), [
      'channel_occupied',
      'member_added alice',
      'member_added bob',
      'member_removed alice',
      'member_removed bob',
      'channel_vacated',
    ]);
  });

  test('client_event and cache_miss once, from whichever node saw them', async () => {
    const channel = unique('private-chat');
    const a = await connectedClient(node(2), { app: HOOK_APP });
    const b = await connectedClient(node(0), { app: HOOK_APP });
    const chA = await subscribe(a, channel);
    await subscribe(b, channel);
    chA.trigger('client-typing', { who: 'a' });
    const event = await webhookEvent(receiver, { name: 'client_event', channel });
    assert.equal(event.event, 'client-typing');
    assert.equal(event.socket_id, a.connection.socket_id);
    const cache = unique('cache-empty');
    await subscribe(b, cache);
    await webhookEvent(receiver, { name: 'cache_miss', channel: cache });
    await disconnectAndWait(a);
    await disconnectAndWait(b);
    await webhookEvent(receiver, { name: 'channel_vacated', channel });
    assert.deepEqual(story(channel), ['channel_occupied', 'client_event', 'channel_vacated']);
    await webhookEvent(receiver, { name: 'channel_vacated', channel: cache });
    assert.deepEqual(story(cache), ['channel_occupied', 'cache_miss', 'channel_vacated']);
  });

  test('one node sends them all, every request valid', async () => {
    const senders = cluster.nodes.filter((gw) => logged(gw, 'cluster: this node sends the webhooks').length > 0);
    assert.equal(senders.length, 1, 'one node holds the webhook lease');
    // A node counts a webhook once the receiver has answered, a moment after the receiver saw it.
    let sent = [];
    const delivered = receiver.events().length;
    assert.ok(delivered > 0);
    await until('every delivered webhook counted', async () => {
      sent = await Promise.all(
        cluster.nodes.map((gw) => metric(gw, 'realtime_webhook_events_total{result="sent"}')),
      );
      return sent.reduce((a, b) => a + b, 0) === delivered;
    });
    assert.equal(sent.filter((n) => n > 0).length, 1, `sent per node ${JSON.stringify(sent)}`);
    assert.ok(receiver.requests.every((r) => r.valid), 'every request passes the SDK\'s validation');
  });
});
