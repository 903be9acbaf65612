// What one connection may hold and cause through subscriptions (issue 13, cases 2-4): a cap on
// its channels, a rate on its subscribes (a stricter one on presence joins), and through both a
// bound on the webhooks it makes. Each test first does what the attacker did against the
// unbounded gateway (at smaller, bounded counts), then checks that the bound held with the
// default limits, that the refusals are Pusher errors the connection survives, that they are
// counted in /metrics, and that everyone else was unharmed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { metric } from './lib/metrics.mjs';
import { channelAuth, closeAllClients, connect } from './lib/raw_ws.mjs';
import { createPusherClient, disconnectAll, subscribeOutcome } from './lib/clients.mjs';
import { startReceiver, webhookEvent } from './lib/webhook_receiver.mjs';

// The documented defaults (README's configuration table).
const MAX_CHANNELS = 500;
const SUBSCRIBES_PER_SECOND = 10;
const PRESENCE_JOINS_PER_SECOND = 5;

after(() => {
  closeAllClients();
  disconnectAll();
});

const refusedMetric = (reason) => [
  'realtime_subscriptions_refused_total',
  `{app="${TEST_APP.id}",reason="${reason}"}`,
];

// Waits until the connection has answered everything sent before: it handles its messages in
// order and a single node answers a subscribe before the next message is read.
async function drained(client, timeout = 30000) {
  client.send({ event: 'pusher:ping', data: {} });
  await client.waitEvent('pusher:pong', { timeout });
}

function presenceSubscribe(client, channel, userId) {
  const channelData = JSON.stringify({ user_id: userId, user_info: { name: userId } });
  return {
    event: 'pusher:subscribe',
    data: { channel, auth: channelAuth(client.socketId, channel, channelData), channel_data: channelData },
  };
}

describe('channels per connection (max_channels_per_connection)', () => {
  it('one connection asking for 2,000 channels holds 500; the rest are refused with 4100 and it stays', async () => {
    const gw = await startGateway();
    try {
      const attacker = await connect(gw.wsUrl());
      const ASKED = 2000;
      for (let i = 0; i < ASKED; i += 1) {
        attacker.send({ event: 'pusher:subscribe', data: { channel: `junk-${i}` } });
      }
      await drained(attacker);
      const succeeded = attacker.pending('pusher_internal:subscription_succeeded');
      const refused = attacker.pending('pusher:subscription_error');
      assert.equal(succeeded.length, MAX_CHANNELS);
      assert.equal(refused.length, ASKED - MAX_CHANNELS);
      assert.equal(refused[0].channel, `junk-${MAX_CHANNELS}`);
      assert.equal(refused[0].data.type, 'LimitReached');
      assert.equal(refused[0].data.status, 4100);
      assert.match(refused[0].data.error, /500 channels/);
      const errors = attacker.pending('pusher:error');
      assert.equal(errors.length, ASKED - MAX_CHANNELS);
      assert.ok(errors.every((e) => e.data.code === 4100), JSON.stringify(errors[0]));
      assert.equal(await metric(gw, ...refusedMetric('channel_limit')), ASKED - MAX_CHANNELS);
      assert.equal(
        await metric(gw, 'realtime_subscriptions', `{app="${TEST_APP.id}"}`),
        MAX_CHANNELS,
        'nothing past the cap is held',
      );

      // A channel given up makes room for another, once the subscribe bucket (its 500 spent on
      // the 500 held; refusals at the cap spend none) has a token again, one per 100 ms. On a
      // fast machine everything above takes less than that.
      attacker.unsubscribe('junk-0');
      await new Promise((resolve) => setTimeout(resolve, 1000 / SUBSCRIBES_PER_SECOND + 100));
      await attacker.subscribe('kept-after-unsubscribe');
      assert.equal(attacker.closeInfo, undefined);

      // A pusher-js client that subscribes to 100 channels as it connects (it sends them all at
      // once) gets every one.
      const client = createPusherClient(gw);
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) => subscribeOutcome(client, `dashboard-${i}`, 15000)),
      );
      const failed = outcomes.filter((o) => !o.ok);
      assert.equal(failed.length, 0, JSON.stringify(failed[0]?.error));
    } finally {
      closeAllClients();
      disconnectAll();
      await gw.stop();
    }
  });
});

describe('presence churn (max_presence_joins_per_second)', () => {
  it('a member looping subscribe/unsubscribe reaches the other members a bounded number of times', async () => {
    const gw = await startGateway();
    const channel = 'presence-churn';
    try {
      const members = [];
      for (let i = 0; i < 20; i += 1) {
        const member = await connect(gw.wsUrl());
        const { data } = presenceSubscribe(member, channel, `member-${i}`);
        await member.subscribe(channel, data);
        members.push(member);
      }
      const churner = await connect(gw.wsUrl());
      const CYCLES = 2000;
      const started = Date.now();
      for (let i = 0; i < CYCLES; i += 1) {
        churner.send(presenceSubscribe(churner, channel, 'churner'));
        churner.unsubscribe(channel);
      }
      await drained(churner);
      const seconds = (Date.now() - started) / 1000;
      const joined = churner.pending('pusher_internal:subscription_succeeded', channel).length;
      const bound = PRESENCE_JOINS_PER_SECOND * (1 + seconds) + 1;
      assert.ok(joined >= 1 && joined <= bound, `${joined} joins in ${seconds} s (bound ${bound})`);
      const refused = churner.pending('pusher:subscription_error', channel);
      assert.equal(refused.length, CYCLES - joined);
      assert.equal(refused[0].data.status, 4301);
      assert.match(refused[0].data.error, /Presence join rate limit/);
      const errors = churner.pending('pusher:error');
      assert.equal(errors.length, CYCLES - joined);
      assert.ok(errors.every((e) => e.data.code === 4301), JSON.stringify(errors[0]));
      assert.equal(await metric(gw, ...refusedMetric('presence_rate_limit')), CYCLES - joined);

      // Presence announcements keep the roster's order: once a member heard of a later join,
      // it heard everything the churner caused.
      const marker = await connect(gw.wsUrl());
      await marker.subscribe(channel, presenceSubscribe(marker, channel, 'marker').data);
      for (const [i, member] of members.entries()) {
        await member.waitEvent('pusher_internal:member_added', {
          channel,
          where: (m) => m.data.user_id === 'marker',
          timeout: 15000,
        });
        const churn = member.messages.filter(
          (m) => m.channel === channel && m.data?.user_id === 'churner',
        );
        assert.ok(churn.length <= 2 * joined, `member ${i} heard ${churn.length} churner events`);
        assert.equal(churn.at(-1)?.event, 'pusher_internal:member_removed', `member ${i}`);
        assert.equal(member.closeInfo, undefined, `member ${i} was cut off`);
      }
      assert.equal(churner.closeInfo, undefined, 'the churner keeps its connection');
    } finally {
      closeAllClients();
      await gw.stop();
    }
  });
});

describe('webhooks one connection causes (the subscribe rate, max_subscriptions_per_second)', () => {
  it('5,000 junk subscribe/unsubscribe pairs queue a bounded number of webhooks ahead of a genuine one', async (t) => {
    const receiver = await startReceiver(TEST_APP);
    const gw = await startGateway({ apps: [{ ...TEST_APP, webhooks: [{ url: receiver.url }] }] });
    try {
      const attacker = await connect(gw.wsUrl());
      const PAIRS = 5000;
      const started = Date.now();
      for (let i = 0; i < PAIRS; i += 1) {
        attacker.send({ event: 'pusher:subscribe', data: { channel: `junk-${i}` } });
        attacker.unsubscribe(`junk-${i}`);
      }
      await drained(attacker);
      const seconds = (Date.now() - started) / 1000;
      // The bucket holds one connection's worth of channels (a client may join everything it is
      // allowed at once) and refills at the subscribe rate.
      const accepted = attacker.pending('pusher_internal:subscription_succeeded').length;
      const bound = MAX_CHANNELS + SUBSCRIBES_PER_SECOND * seconds + 1;
      assert.ok(accepted <= bound, `${accepted} subscribes accepted in ${seconds} s (bound ${bound})`);
      const refused = attacker.pending('pusher:subscription_error');
      assert.equal(refused.length, PAIRS - accepted);
      assert.equal(refused[0].data.status, 4301);
      assert.match(refused[0].data.error, /Subscription rate limit/);
      assert.equal(await metric(gw, ...refusedMetric('rate_limit')), PAIRS - accepted);

      // A genuine member joins behind the junk: its member_added is not queued behind thousands.
      const genuineAt = Date.now();
      const member = await connect(gw.wsUrl());
      await member.subscribe('presence-genuine', presenceSubscribe(member, 'presence-genuine', 'genuine').data);
      const added = await webhookEvent(
        receiver,
        { name: 'member_added', channel: 'presence-genuine', user_id: 'genuine' },
        30000,
      );
      const events = receiver.events();
      const junk = (e) => e.name === 'channel_occupied' && e.channel.startsWith('junk-');
      const addedIndex = events.findIndex((e) => e.name === 'member_added' && e.user_id === 'genuine');
      const junkAhead = events.slice(0, addedIndex).filter(junk).length;
      t.diagnostic(`member_added arrived ${added.at - genuineAt} ms after the join, behind ${junkAhead} junk webhooks`);
      const aheadBound = MAX_CHANNELS + SUBSCRIBES_PER_SECOND * ((added.at - started) / 1000) + 1;
      assert.ok(junkAhead <= aheadBound, `${junkAhead} junk channel_occupied ahead of member_added`);
      const occupied = events.filter(junk);
      assert.ok(occupied.length <= accepted, `${occupied.length} junk channel_occupied webhooks`);
      assert.equal(await metric(gw, 'realtime_webhook_events_total', '{result="dropped"}'), 0);
      assert.equal(attacker.closeInfo, undefined, 'the attacker keeps its connection');
    } finally {
      closeAllClients();
      await gw.stop();
      await receiver.close();
    }
  });
});
