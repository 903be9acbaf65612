// Watchlists: a signed-in user whose user_data lists other users' ids receives
// pusher_internal:watchlist_events as those users come online and go offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { connectedClient, disconnectAll } from './lib/clients.mjs';
import { waitFor, sleep } from './lib/wait.mjs';

let gw;
const WATCHING = { ...TEST_APP, enable_watchlist_events: true };
before(async () => {
  gw = await startGateway({ apps: [WATCHING] });
});
after(async () => {
  disconnectAll();
  await gw.stop();
});

function signinSuccess(client) {
  return waitFor('pusher:signin_success', (resolve) =>
    client.connection.bind('message', (message) => {
      if (message.event === 'pusher:signin_success') resolve(message);
    }),
  );
}

async function signedIn(user) {
  const client = await connectedClient(gw, { user });
  const success = signinSuccess(client);
  client.signin();
  await success;
  return client;
}

function watchlistEvent(client, name, userId, ms = 5000) {
  return waitFor(`watchlist ${name} ${userId}`, (resolve) => {
    client.user.watchlist.bind(name, (event) => {
      if (event.user_ids.includes(userId)) resolve(event);
    });
  }, ms);
}

test('a watcher sees a watched user come online and go offline', async () => {
  const watcher = await signedIn({ id: 'alice', watchlist: ['bob', 'carol'] });
  const online = watchlistEvent(watcher, 'online', 'bob');
  const bob = await signedIn({ id: 'bob' });
  assert.deepEqual((await online).user_ids, ['bob']);
  const offline = watchlistEvent(watcher, 'offline', 'bob');
  bob.disconnect();
  assert.deepEqual((await offline).user_ids, ['bob']);
});

test('users already online are reported right after sign-in', async () => {
  const carol = await signedIn({ id: 'carol2' });
  const watcher = await connectedClient(gw, { user: { id: 'dave', watchlist: ['carol2', 'nobody'] } });
  const online = watchlistEvent(watcher, 'online', 'carol2');
  watcher.signin();
  const event = await online;
  assert.deepEqual(event.user_ids, ['carol2'], 'offline users are not reported as online');
  carol.disconnect();
});

test('a second tab of a watched user is not a second online, and offline waits for the last', async () => {
  const watcher = await signedIn({ id: 'erin', watchlist: ['frank'] });
  const events = [];
  watcher.user.watchlist.bind('online', (e) => events.push(['online', ...e.user_ids]));
  watcher.user.watchlist.bind('offline', (e) => events.push(['offline', ...e.user_ids]));
  const tab1 = await signedIn({ id: 'frank' });
  const tab2 = await signedIn({ id: 'frank' });
  await sleep(300);
  tab1.disconnect();
  await sleep(300);
  assert.deepEqual(events, [['online', 'frank']]);
  const offline = watchlistEvent(watcher, 'offline', 'frank');
  tab2.disconnect();
  await offline;
  assert.deepEqual(events, [['online', 'frank'], ['offline', 'frank']]);
});

test('users not on the watchlist are never reported', async () => {
  const watcher = await signedIn({ id: 'gina', watchlist: ['henry'] });
  const seen = [];
  watcher.user.watchlist.bind('online', (e) => seen.push(...e.user_ids));
  const stranger = await signedIn({ id: 'ivan' });
  await sleep(400);
  assert.deepEqual(seen, []);
  stranger.disconnect();
});
