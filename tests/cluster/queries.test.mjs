// Queries answer for the whole cluster, asked on any node: GET /channels, /channels/{name},
// /channels/{name}/users, `info=` on triggers and batches, and the gRPC queries (GetChannel,
// ListChannels, ListPresenceMembers, Publish / PublishBatch with include_channel_info). Clients
// on three nodes make the state; every node must give the same answer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectedClient,
  disconnectAndWait,
  eventually,
  jsonOf,
  serverSdk,
  subscribe,
} from '../conformance/lib/clients.mjs';
import { controlPlane } from '../conformance/lib/grpc.mjs';
import { until, useCluster } from './lib/cluster.mjs';
import { unique } from './lib/clients.mjs';

const cluster = useCluster();
const node = (i) => cluster.nodes[i];
const nodes = () => cluster.nodes;

// State spread over the nodes: `news` (public) with 1 subscriber on node 0 and 2 on node 1;
// `room` (presence) with alice on nodes 0 and 2, bob on node 1, carol on node 2 (4 connections,
// 3 users); `secret` (private) with 1 subscriber on node 2.
async function spreadState() {
  const tag = unique('q');
  const news = `${tag}-news`;
  const room = `presence-${tag}-room`;
  const secret = `private-${tag}-secret`;
  const member = (i, id) =>
    connectedClient(node(i), { presenceData: { user_id: id, user_info: { name: id.toUpperCase() } } });
  const plain = (i) => connectedClient(node(i));
  const who = {
    news: await Promise.all([plain(0), plain(1), plain(1)]),
    room: await Promise.all([member(0, 'alice'), member(2, 'alice'), member(1, 'bob'), member(2, 'carol')]),
    secret: await Promise.all([plain(2)]),
  };
  await Promise.all([
    ...who.news.map((c) => subscribe(c, news)),
    ...who.room.map((c) => subscribe(c, room)),
    ...who.secret.map((c) => subscribe(c, secret)),
  ]);
  return { tag, news, room, secret, who };
}

describe('HTTP API queries', () => {
  test('every node answers /channels, /channels/{name} and /users for the whole cluster', async () => {
    const { tag, news, room, secret } = await spreadState();
    for (const [i, gw] of nodes().entries()) {
      const sdk = serverSdk(gw);
      const all = await jsonOf(sdk.get({ path: '/channels', params: { filter_by_prefix: '' } }));
      for (const name of [news, room, secret]) {
        assert.ok(name in all.channels, `node ${i}: ${name} listed in ${JSON.stringify(all)}`);
      }
      const presence = await jsonOf(
        sdk.get({ path: '/channels', params: { filter_by_prefix: `presence-${tag}`, info: 'user_count' } }),
      );
      assert.deepEqual(presence, { channels: { [room]: { user_count: 3 } } }, `node ${i}`);
      assert.deepEqual(
        await jsonOf(sdk.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } })),
        { occupied: true, user_count: 3, subscription_count: 4 },
        `node ${i}: presence counts`,
      );
      assert.deepEqual(
        await jsonOf(sdk.get({ path: `/channels/${news}`, params: { info: 'subscription_count' } })),
        { occupied: true, subscription_count: 3 },
        `node ${i}: public counts`,
      );
      const users = await jsonOf(sdk.get({ path: `/channels/${room}/users` }));
      assert.deepEqual(
        users.users.map((u) => u.id).sort(),
        ['alice', 'bob', 'carol'],
        `node ${i}: each user once, whichever nodes hold them`,
      );
    }
  });

  test('counts follow leaves on other nodes, and an emptied channel is unoccupied everywhere', async () => {
    const { news, room, who } = await spreadState();
    await disconnectAndWait(who.room[1]); // alice's node-2 tab: alice stays through node 0
    await disconnectAndWait(who.room[3]); // carol
    await disconnectAndWait(who.news[0]); // node 0's only news subscriber
    for (const [i, gw] of nodes().entries()) {
      const sdk = serverSdk(gw);
      const counts = await until(`node ${i}: room counts after the leaves`, async () => {
        const got = await jsonOf(sdk.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } }));
        return got.subscription_count === 2 ? got : undefined;
      });
      assert.deepEqual(counts, { occupied: true, user_count: 2, subscription_count: 2 });
      const users = await jsonOf(sdk.get({ path: `/channels/${room}/users` }));
      assert.deepEqual(users.users.map((u) => u.id).sort(), ['alice', 'bob'], `node ${i}`);
      assert.deepEqual(
        await jsonOf(sdk.get({ path: `/channels/${news}`, params: { info: 'subscription_count' } })),
        { occupied: true, subscription_count: 2 },
        `node ${i}`,
      );
    }
    await Promise.all(who.news.slice(1).map((c) => disconnectAndWait(c)));
    for (const [i, gw] of nodes().entries()) {
      const got = await until(`node ${i}: ${news} unoccupied`, async () => {
        const answer = await jsonOf(serverSdk(gw).get({ path: `/channels/${news}`, params: { info: 'subscription_count' } }));
        return answer.occupied === false ? answer : undefined;
      });
      assert.deepEqual(got, { occupied: false, subscription_count: 0 }, `node ${i}: no subscriber anywhere`);
      const all = await jsonOf(serverSdk(gw).get({ path: '/channels' }));
      assert.equal(news in all.channels, false, `node ${i}: vacated channel not listed`);
    }
  });

  test('info= on triggers and batches gives the cluster\'s counts', async () => {
    const { news, room } = await spreadState();
    for (const [i, gw] of nodes().entries()) {
      const sdk = serverSdk(gw);
      const one = await jsonOf(sdk.trigger([news, room], 'ev', {}, { info: 'subscription_count,user_count' }));
      assert.deepEqual(
        one.channels,
        { [news]: { subscription_count: 3 }, [room]: { subscription_count: 4, user_count: 3 } },
        `node ${i}: trigger info`,
      );
      const batch = await jsonOf(
        sdk.triggerBatch([
          { channel: news, name: 'ev', data: {}, info: 'subscription_count' },
          { channel: room, name: 'ev', data: {}, info: 'user_count,subscription_count' },
        ]),
      );
      assert.deepEqual(
        batch.batch,
        [{ subscription_count: 3 }, { subscription_count: 4, user_count: 3 }],
        `node ${i}: batch info`,
      );
    }
  });
});

describe('gRPC queries', () => {
  test('GetChannel, ListChannels, ListPresenceMembers and include_channel_info on every node', async () => {
    const { tag, news, room, secret } = await spreadState();
    for (const [i, gw] of nodes().entries()) {
      const cp = controlPlane(gw);
      const got = await cp.getChannel({ channel: room });
      assert.equal(got.occupied, true);
      assert.equal(got.info.subscription_count, 4, `node ${i}`);
      assert.equal(got.info.user_count, 3, `node ${i}`);
      const listed = await cp.listChannels({ prefix: tag });
      assert.deepEqual(Object.keys(listed.channels).sort(), [news].sort(), `node ${i}: prefix ${tag}`);
      assert.equal(listed.channels[news].subscription_count, 3);
      const privates = await cp.listChannels({ prefix: `private-${tag}` });
      assert.deepEqual(Object.keys(privates.channels), [secret], `node ${i}`);
      const members = await cp.listPresenceMembers({ channel: room });
      assert.deepEqual(
        members.members.map((m) => [m.user_id, JSON.parse(m.user_info_json)]),
        [['alice', { name: 'ALICE' }], ['bob', { name: 'BOB' }], ['carol', { name: 'CAROL' }]],
        `node ${i}: sorted, each once, with user_info`,
      );
      const published = await cp.publish({ channels: [news, room], name: 'ev', data: '{}', include_channel_info: true });
      assert.equal(published.channels[news].subscription_count, 3, `node ${i}`);
      assert.equal(published.channels[room].subscription_count, 4, `node ${i}`);
      assert.equal(published.channels[room].user_count, 3, `node ${i}`);
      const batch = await cp.publishBatch({
        events: [
          { channel: room, name: 'ev', data: '{}', include_channel_info: true },
          { channel: news, name: 'ev', data: '{}' },
        ],
      });
      assert.equal(batch.results[0].info.subscription_count, 4, `node ${i}`);
      assert.equal(batch.results[0].info.user_count, 3, `node ${i}`);
    }
  });
});
