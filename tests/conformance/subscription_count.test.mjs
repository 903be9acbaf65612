// Pusher's "Subscription Count" setting: subscribers of non-presence channels receive
// pusher:subscription_count as the count changes, coalesced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { connectedClient, subscribe, disconnectAll, receivedFrames } from './lib/clients.mjs';
import { waitFor, sleep } from './lib/wait.mjs';

let gw;
const COUNTING = { ...TEST_APP, id: 'counting', key: 'counting-key', enable_subscription_count: true };
before(async () => {
  gw = await startGateway({ apps: [COUNTING, TEST_APP] });
});
after(async () => {
  disconnectAll();
  await gw.stop();
});

function countReaches(channel, want, ms = 5000) {
  return waitFor(`subscription_count ${want}`, (resolve) => {
    channel.bind('pusher:subscription_count', (data) => {
      if (data.subscription_count === want) resolve(data);
    });
  }, ms);
}

test('subscribers learn the count as clients join and leave', async () => {
  const watcher = await connectedClient(gw, { app: COUNTING });
  const channel = watcher.subscribe('room');
  const three = countReaches(channel, 3);
  const others = [];
  for (let i = 0; i < 2; ++i) {
    const other = await connectedClient(gw, { app: COUNTING });
    await subscribe(other, 'room');
    others.push(other);
  }
  await three;
  assert.equal(channel.subscriptionCount, 3);
  const two = countReaches(channel, 2);
  others[0].disconnect();
  await two;
});

test('a crowd joining is coalesced into few updates', async () => {
  const watcher = await connectedClient(gw, { app: COUNTING });
  const channel = watcher.subscribe('crowd');
  await waitFor('subscribed', (resolve) => channel.bind('pusher:subscription_succeeded', resolve));
  const twenty = countReaches(channel, 21, 15000);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      const client = await connectedClient(gw, { app: COUNTING });
      await subscribe(client, 'crowd');
    }),
  );
  await twenty;
  const elapsed = Date.now() - started;
  const updates = receivedFrames(watcher, 'pusher:subscription_count', 'crowd').length;
  // Counts go out at most once per 500 ms sweep, so a slow machine that spreads the joins out
  // gets more updates (on a typical run 2-4, against 20 without coalescing).
  const bound = Math.ceil(elapsed / 500) + 2;
  assert.ok(updates <= bound, `20 joins in ${elapsed} ms produced ${updates} updates; they should be coalesced`);
});

test('apps without the setting, and presence channels, get no count events', async () => {
  const plain = await connectedClient(gw);
  await subscribe(plain, 'room');
  const presence = await connectedClient(gw, { app: COUNTING, presenceData: { user_id: '1' } });
  await subscribe(presence, 'presence-room');
  const peer = await connectedClient(gw, { app: COUNTING, presenceData: { user_id: '2' } });
  await subscribe(peer, 'presence-room');
  await sleep(1200);
  assert.equal(receivedFrames(plain, 'pusher:subscription_count').length, 0);
  assert.equal(receivedFrames(presence, 'pusher:subscription_count').length, 0);
});
