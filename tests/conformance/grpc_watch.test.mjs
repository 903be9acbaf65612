// realtime.v1 ControlPlane.WatchEvents: a grpc-js server stream that must report what real
// pusher-js clients do: CHANNEL_OCCUPIED on the first subscriber, MEMBER_ADDED / MEMBER_REMOVED
// per user (not per tab), CLIENT_EVENT with event, data, socket_id (and user_id on presence),
// CHANNEL_VACATED after the last subscriber; the kinds and channel_prefix filters; token errors;
// and OVERFLOW + RESOURCE_EXHAUSTED for a watcher that stops reading.
//
// A stream is only known to be registered on the server once it has delivered something, so
// every test first "probes" (a raw socket occupies a channel the filters let through) until the
// probe's event arrives, and only then lets pusher-js act.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep } from './lib/wait.mjs';
import {
  connectedClient,
  disconnectAndWait,
  subscribe,
} from './lib/clients.mjs';
import { channelAuth, connect } from './lib/raw_ws.mjs';
import { brief, closeEverythingAfterTests, controlPlane, derivedToken, Status, syncWatcher } from './lib/grpc.mjs';

const OTHER_APP = Object.freeze({ id: 'grpc-w-other', key: 'grpc-w-other-key', secret: 'grpc-w-other-secret' });

let gw;
let cp;
let probeSeq = 0;

before(async () => {
  // The backpressure test floods channel events from one connection (tens of thousands of
  // subscribe/unsubscribe pairs), which the subscribe rate would stop after 500.
  gw = await startGateway({ apps: [{ ...TEST_APP, max_subscriptions_per_second: 0 }, OTHER_APP] });
  cp = controlPlane(gw);
});

closeEverythingAfterTests(() => gw);

// Probe: a raw socket occupies `${prefix}<n>` (public) and leaves. Resolves with the channel.
async function probePublic(prefix = 'wprobe-') {
  const raw = await connect(gw.wsUrl());
  const channel = `${prefix}${++probeSeq}`;
  await raw.subscribe(channel);
  raw.terminate();
  return channel;
}

// Probe: a raw socket joins `presence-wprobe-<n>` as user "probe" and leaves.
async function probePresence() {
  const raw = await connect(gw.wsUrl());
  const channel = `presence-wprobe-${++probeSeq}`;
  const channelData = JSON.stringify({ user_id: 'probe', user_info: {} });
  await raw.subscribe(channel, { auth: channelAuth(raw.socketId, channel, channelData), channel_data: channelData });
  raw.terminate();
  return channel;
}

// A watcher on TEST_APP that is registered on the server.
async function watching(request = {}, probe = () => probePublic()) {
  const watcher = cp.watchEvents(request);
  await syncWatcher(watcher, probe);
  return watcher;
}

const member = (userId, info = {}) => connectedClient(gw, { presenceData: { user_id: userId, user_info: info } });

const count = (watcher, kind, channel, where = () => true) =>
  watcher.all((e) => e.kind === kind && e.channel === channel && where(e)).length;

function assertRecentTime(event) {
  assert.match(event.time_ms, /^\d+$/, `time_ms ${event.time_ms}`);
  const skew = Math.abs(Number(event.time_ms) - Date.now());
  assert.ok(skew < 10000, `time_ms ${event.time_ms} is ${skew} ms away from now`);
}

describe('WatchEvents reports what pusher-js clients do', () => {
  test('presence channel: OCCUPIED, MEMBER_ADDED once per user, CLIENT_EVENT with user_id, MEMBER_REMOVED after the last tab, VACATED', async () => {
    const w = await watching();
    const ch = 'presence-watch-room';

    const alice1 = await member('alice', { name: 'Alice' });
    await subscribe(alice1, ch);
    const occupied = await w.nextOf('CHANNEL_OCCUPIED', ch);
    assertRecentTime(occupied);
    assert.equal(occupied.subscription_count, 1, `OCCUPIED subscription_count: ${JSON.stringify(occupied)}`);
    const added = await w.nextOf('MEMBER_ADDED', ch, (e) => e.user_id === 'alice');
    assertRecentTime(added);

    // A second tab of alice: no second MEMBER_ADDED, no second OCCUPIED.
    const alice2 = await member('alice', { name: 'Alice' });
    await subscribe(alice2, ch);
    const bob = await member('bob', { name: 'Bob' });
    const bobCh = await subscribe(bob, ch);
    await w.nextOf('MEMBER_ADDED', ch, (e) => e.user_id === 'bob');
    await sleep(300);
    assert.equal(count(w, 'MEMBER_ADDED', ch, (e) => e.user_id === 'alice'), 1, "alice's second tab produced MEMBER_ADDED");
    assert.equal(count(w, 'CHANNEL_OCCUPIED', ch), 1);

    // Client event from bob.
    assert.equal(bobCh.trigger('client-typing', { typing: true, text: '\u00e9' }), true);
    const clientEvent = await w.nextOf('CLIENT_EVENT', ch);
    assert.equal(clientEvent.event, 'client-typing');
    assert.deepEqual(JSON.parse(clientEvent.data), { typing: true, text: '\u00e9' });
    assert.equal(clientEvent.socket_id, bob.connection.socket_id);
    assert.equal(clientEvent.user_id, 'bob');
    assertRecentTime(clientEvent);

    // alice's first tab leaves: alice is still present.
    await disconnectAndWait(alice1);
    await sleep(300);
    assert.equal(count(w, 'MEMBER_REMOVED', ch), 0, `MEMBER_REMOVED while alice still had a tab: ${w.events.map(brief)}`);

    // The last tab leaves: MEMBER_REMOVED alice, channel still occupied by bob.
    await disconnectAndWait(alice2);
    await w.nextOf('MEMBER_REMOVED', ch, (e) => e.user_id === 'alice');
    assert.equal(count(w, 'CHANNEL_VACATED', ch), 0, 'VACATED while bob is subscribed');

    await disconnectAndWait(bob);
    await w.nextOf('MEMBER_REMOVED', ch, (e) => e.user_id === 'bob');
    const vacated = await w.nextOf('CHANNEL_VACATED', ch);
    assertRecentTime(vacated);
    assert.equal(vacated.subscription_count, 0);
    await sleep(200);
    assert.equal(count(w, 'CHANNEL_VACATED', ch), 1);
    assert.equal(count(w, 'MEMBER_REMOVED', ch), 2);
  });

  test('private channel: CLIENT_EVENT carries event, data and socket_id, no user_id', async () => {
    const w = await watching();
    const ch = 'private-watch-chat';
    const sender = await connectedClient(gw);
    const receiver = await connectedClient(gw);
    const senderCh = await subscribe(sender, ch);
    await subscribe(receiver, ch);
    await w.nextOf('CHANNEL_OCCUPIED', ch);
    senderCh.trigger('client-msg', { body: 'hi' });
    const e = await w.nextOf('CLIENT_EVENT', ch);
    assert.equal(e.event, 'client-msg');
    assert.deepEqual(JSON.parse(e.data), { body: 'hi' });
    assert.equal(e.socket_id, sender.connection.socket_id);
    assert.equal(e.user_id, '');
  });

  test('public channel: one OCCUPIED for the first of two subscribers, one VACATED after the last', async () => {
    const w = await watching();
    const ch = 'watch-public';
    const a = await connectedClient(gw);
    const b = await connectedClient(gw);
    await subscribe(a, ch);
    await w.nextOf('CHANNEL_OCCUPIED', ch);
    await subscribe(b, ch);
    await disconnectAndWait(a);
    await sleep(300);
    assert.equal(count(w, 'CHANNEL_OCCUPIED', ch), 1);
    assert.equal(count(w, 'CHANNEL_VACATED', ch), 0, 'VACATED while b is subscribed');
    await disconnectAndWait(b);
    await w.nextOf('CHANNEL_VACATED', ch);
    assert.equal(count(w, 'MEMBER_ADDED', ch) + count(w, 'MEMBER_REMOVED', ch), 0, 'member events on a public channel');
  });

  test('SUBSCRIPTION_COUNT eventually reports the current count of a channel', async () => {
    const w = await watching();
    const ch = 'watch-counted';
    const clients = await Promise.all([connectedClient(gw), connectedClient(gw), connectedClient(gw)]);
    for (const c of clients) await subscribe(c, ch);
    await w.nextOf('SUBSCRIPTION_COUNT', ch, (e) => e.subscription_count === 3);
    await disconnectAndWait(clients[0]);
    await w.nextOf('SUBSCRIPTION_COUNT', ch, (e) => e.subscription_count === 2);
  });

  test('two watchers both receive the same events', async () => {
    const w1 = await watching();
    const w2 = await watching();
    const ch = 'watch-fanout';
    const c = await connectedClient(gw);
    await subscribe(c, ch);
    const [e1, e2] = await Promise.all([w1.nextOf('CHANNEL_OCCUPIED', ch), w2.nextOf('CHANNEL_OCCUPIED', ch)]);
    assert.equal(e1.time_ms, e2.time_ms);
  });
});

describe('WatchEvents filters', () => {
  test('kinds: only the listed kinds arrive', async () => {
    const w = await watching({ kinds: ['MEMBER_ADDED', 'MEMBER_REMOVED'] }, probePresence);
    const ch = 'presence-watch-kinds';
    const alice = await member('alice-k');
    const aliceCh = await subscribe(alice, ch);
    const pub = await connectedClient(gw);
    await subscribe(pub, 'watch-kinds-public');
    await w.nextOf('MEMBER_ADDED', ch, (e) => e.user_id === 'alice-k');
    aliceCh.trigger('client-ignored', {});
    await disconnectAndWait(alice);
    await disconnectAndWait(pub);
    await w.nextOf('MEMBER_REMOVED', ch, (e) => e.user_id === 'alice-k');
    await sleep(300);
    const kinds = new Set(w.events.map((e) => e.kind));
    assert.deepEqual([...kinds].sort(), ['MEMBER_ADDED', 'MEMBER_REMOVED'], `unfiltered kinds: ${w.events.map(brief)}`);
  });

  test('channel_prefix: only channels starting with it arrive', async () => {
    const w = await watching({ channel_prefix: 'watched-' }, () => probePublic('watched-probe-'));
    const c = await connectedClient(gw);
    await subscribe(c, 'unwatched-first');
    await subscribe(c, 'watched-room');
    await w.nextOf('CHANNEL_OCCUPIED', 'watched-room');
    await disconnectAndWait(c);
    await w.nextOf('CHANNEL_VACATED', 'watched-room');
    await sleep(300);
    const strays = w.events.filter((e) => !e.channel.startsWith('watched-'));
    assert.deepEqual(strays.map(brief), [], 'events of channels outside the prefix');
  });

  test('kinds and channel_prefix together', async () => {
    const w = await watching({ kinds: ['CHANNEL_VACATED'], channel_prefix: 'both-' }, async () => {
      const ch = await probePublic('both-probe-');
      return ch;
    });
    const c = await connectedClient(gw);
    await subscribe(c, 'both-a');
    await subscribe(c, 'neither-a');
    await disconnectAndWait(c);
    await w.nextOf('CHANNEL_VACATED', 'both-a');
    await sleep(300);
    const strays = w.events.filter((e) => e.kind !== 'CHANNEL_VACATED' || !e.channel.startsWith('both-'));
    assert.deepEqual(strays.map(brief), []);
  });
});

describe('WatchEvents authentication', () => {
  test('wrong token or none -> UNAUTHENTICATED; token of another app -> PERMISSION_DENIED; unknown app -> NOT_FOUND', async () => {
    const cases = [
      [{}, { token: 'wrong' }, Status.UNAUTHENTICATED],
      [{}, { token: null }, Status.UNAUTHENTICATED],
      [{}, { token: derivedToken(OTHER_APP) }, Status.PERMISSION_DENIED],
      [{ app_id: 'no-such-app' }, {}, Status.NOT_FOUND],
    ];
    for (const [request, options, code] of cases) {
      const w = cp.watchEvents(request, options);
      const end = await w.waitEnd();
      assert.equal(end.code, code, `${JSON.stringify(request)} ${JSON.stringify(options)}: ${JSON.stringify(end)}`);
      assert.equal(w.events.length, 0);
    }
  });

  test("another app's watcher does not see this app's channels", async () => {
    const other = controlPlane(gw, { app: OTHER_APP });
    const w = other.watchEvents({});
    const otherProbe = async () => {
      const raw = await connect(gw.wsUrl(OTHER_APP.key));
      const channel = `other-probe-${++probeSeq}`;
      await raw.subscribe(channel);
      raw.terminate();
      return channel;
    };
    await syncWatcher(w, otherProbe);
    const c = await connectedClient(gw);
    await subscribe(c, 'watch-private-to-test-app');
    await disconnectAndWait(c);
    // A later event of OTHER_APP arrives after anything the TEST_APP channel could have caused.
    await syncWatcher(w, otherProbe);
    await sleep(200);
    assert.deepEqual(w.all((e) => e.channel === 'watch-private-to-test-app').map(brief), []);
    assert.ok(w.events.every((e) => e.channel.startsWith('other-probe-')), w.events.map(brief).join(', '));
  });
});

describe('WatchEvents backpressure', () => {
  test('a watcher that stops reading gets OVERFLOW and the stream ends with RESOURCE_EXHAUSTED', async () => {
    const w = await watching({ channel_prefix: 'flood-' }, () => probePublic('flood-probe-'));
    const raw = await connect(gw.wsUrl());
    let seq = 0;
    let overflow;
    for (const pairs of [5000, 20000, 50000]) {
      w.call.pause();
      for (let i = 0; i < pairs; i += 1) {
        const channel = `flood-${++seq}`;
        raw.send({ event: 'pusher:subscribe', data: { channel } });
        raw.send({ event: 'pusher:unsubscribe', data: { channel } });
      }
      // The last subscribe answered = every frame before it was processed.
      const last = `flood-last-${seq}`;
      await raw.subscribe(last, {}, 30000);
      raw.unsubscribe(last);
      await sleep(300);
      w.call.resume();
      overflow = await w.next((e) => e.kind === 'OVERFLOW', 'OVERFLOW', 5000).catch(() => undefined);
      if (overflow || w.endInfo) break;
    }
    assert.ok(overflow, `no OVERFLOW after ${seq} subscribe/unsubscribe pairs while the watcher was paused`);
    const end = await w.waitEnd(5000);
    assert.equal(end.code, Status.RESOURCE_EXHAUSTED, JSON.stringify(end));
    const i = w.events.indexOf(overflow);
    assert.equal(i, w.events.length - 1, 'events arrived after OVERFLOW');
    // The gateway is unharmed: a fresh watcher works.
    await watching();
  });
});
