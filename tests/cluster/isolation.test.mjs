// Two deployments on one Redis, kept apart by redis_prefix (Reverb's REVERB_SCALING_CHANNEL):
// two nodes of "alpha" and one of "beta", all serving an app with the same id and key. Neither
// deployment sees the other's traffic, channels or members.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collect,
  connectedClient,
  eventually,
  jsonOf,
  serverSdk,
  subscribe,
} from '../conformance/lib/clients.mjs';
import { startNode, trafficChannel, useCluster } from './lib/cluster.mjs';
import { unique } from './lib/clients.mjs';

const cluster = useCluster({ count: 2, config: { redis_prefix: 'alpha' } }, async (c) => {
  c.nodes.push(await startNode(c.redis, { config: { redis_prefix: 'beta' } }));
});

test('deployments with different prefixes share a Redis without seeing each other', async () => {
  const [alpha0, alpha1, beta] = cluster.nodes;
  const channel = unique('shared-name');
  const room = unique('presence-shared');
  const alphaReader = await connectedClient(alpha1);
  const betaReader = await connectedClient(beta);
  const alphaGot = collect(await subscribe(alphaReader, channel), 'ev');
  const betaGot = collect(await subscribe(betaReader, channel), 'ev');
  const alice = await connectedClient(alpha1, { presenceData: { user_id: 'alice', user_info: {} } });
  await subscribe(alice, room);

  await serverSdk(alpha0).trigger(channel, 'ev', { from: 'alpha' });
  await serverSdk(beta).trigger(channel, 'ev', { from: 'beta' });
  await eventually('each deployment\'s event', () => alphaGot.length === 1 && betaGot.length === 1);
  // beta's own publish came after alpha's: alpha's would have been there first.
  assert.deepEqual(betaGot.map((e) => e.data), [{ from: 'beta' }]);
  await serverSdk(alpha1).trigger(channel, 'ev', { from: 'alpha again' });
  await eventually('alpha\'s second event', () => alphaGot.length === 2);
  assert.deepEqual(alphaGot.map((e) => e.data), [{ from: 'alpha' }, { from: 'alpha again' }]);

  const betaChannels = await jsonOf(serverSdk(beta).get({ path: '/channels' }));
  assert.equal(room in betaChannels.channels, false, 'alpha\'s presence channel is not beta\'s');
  assert.deepEqual(
    await jsonOf(serverSdk(beta).get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } })),
    { occupied: true, subscription_count: 1 },
  );
  assert.deepEqual(
    await jsonOf(serverSdk(alpha0).get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } })),
    { occupied: true, subscription_count: 1 },
  );
  const alphaUsers = await jsonOf(serverSdk(alpha0).get({ path: `/channels/${room}/users` }));
  assert.deepEqual(alphaUsers.users.map((u) => u.id), ['alice']);
  assert.equal(await cluster.redis.numsub(trafficChannel(channel, undefined, 'alpha')), 1);
  assert.equal(await cluster.redis.numsub(trafficChannel(channel, undefined, 'beta')), 1);
  const keys = await cluster.redis.raw('KEYS', '*');
  assert.ok(keys.every((k) => k.startsWith('alpha:') || k.startsWith('beta:')), JSON.stringify(keys));
});
