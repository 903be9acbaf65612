// Cache channels: the last event is replayed to a new subscriber right after
// subscription_succeeded; with nothing cached the subscriber gets pusher:cache_miss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import {
  connectedClient, serverSdk, subscribe, disconnectAll, eventually, receivedFrames,
} from './lib/clients.mjs';
import { waitFor, sleep } from './lib/wait.mjs';

let gw;
let sdk;
before(async () => {
  gw = await startGateway({ apps: [{ ...TEST_APP, cache_ttl: 2 }] });
  sdk = serverSdk(gw);
});
after(async () => {
  disconnectAll();
  await gw.stop();
});

function cacheMiss(channel, ms = 5000) {
  return waitFor('pusher:cache_miss', (resolve) => channel.bind('pusher:cache_miss', resolve), ms);
}

test('an empty cache channel answers pusher:cache_miss after subscription_succeeded', async () => {
  const client = await connectedClient(gw);
  const channel = client.subscribe('cache-empty');
  const order = [];
  channel.bind('pusher:subscription_succeeded', () => order.push('succeeded'));
  await cacheMiss(channel).then(() => order.push('cache_miss'));
  assert.deepEqual(order, ['succeeded', 'cache_miss']);
});

test('a new subscriber is replayed the last event, not the earlier ones', async () => {
  const first = await connectedClient(gw);
  await subscribe(first, 'cache-scores');
  await sdk.trigger('cache-scores', 'score', { home: 1 });
  await sdk.trigger('cache-scores', 'score', { home: 2 });
  const late = await connectedClient(gw);
  const channel = late.subscribe('cache-scores');
  const replayed = await waitFor('replayed event', (resolve) => channel.bind('score', resolve));
  assert.deepEqual(replayed, { home: 2 });
  await sleep(200);
  assert.equal(receivedFrames(late, 'score').length, 1, 'only the last event is replayed');
  assert.equal(receivedFrames(late, 'pusher:cache_miss').length, 0);
});

test('private and presence cache channels replay too', async () => {
  for (const name of ['private-cache-doc', 'presence-cache-room']) {
    await sdk.trigger(name, 'state', { v: name });
    const client = await connectedClient(gw, { presenceData: { user_id: 'u1' } });
    const channel = client.subscribe(name);
    const state = await waitFor(`replay on ${name}`, (resolve) => channel.bind('state', resolve));
    assert.deepEqual(state, { v: name });
  }
});

test('the cached event expires after the app cache_ttl', async () => {
  await sdk.trigger('cache-ttl', 'tick', { n: 1 });
  const early = await connectedClient(gw);
  const earlyChannel = early.subscribe('cache-ttl');
  await waitFor('replay before expiry', (resolve) => earlyChannel.bind('tick', resolve));
  await sleep(2300);
  const late = await connectedClient(gw);
  await cacheMiss(late.subscribe('cache-ttl'));
});

test('a non-cache channel never replays nor reports a cache miss', async () => {
  await sdk.trigger('plain', 'x', { n: 1 });
  const client = await connectedClient(gw);
  await subscribe(client, 'plain');
  await sleep(300);
  assert.equal(receivedFrames(client, 'x').length, 0);
  assert.equal(receivedFrames(client, 'pusher:cache_miss').length, 0);
  await eventually('still connected', () => client.connection.state === 'connected');
});
