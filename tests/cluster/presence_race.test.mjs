// The presence race: 200 joins and leaves of one presence channel by pusher-js clients spread
// over three nodes (users with connections on every node), while observers (pusher-js on each
// node, laravel-echo on one) watch. Every client's events are recorded from its
// subscription_succeeded on, and checked as the issue states them:
//   - no member_added for a member the client's roster already lists (a duplicate),
//   - no member_removed for a member it does not list (a removal without its addition),
//   - no member event while the client is not subscribed,
// and once the race is over, every subscribed client's roster, Echo's, every node's /users and
// the roster in Redis equal the truth (the users with a subscribed connection).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectedClient,
  createEcho,
  eventually,
  jsonOf,
  serverSdk,
  waitEchoConnected,
} from '../conformance/lib/clients.mjs';
import { channelAuth, connect } from '../conformance/lib/raw_ws.mjs';
import { waitFor } from '../conformance/lib/wait.mjs';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { appKey, until, useCluster } from './lib/cluster.mjs';
import { echoSubscribed, pingPong, unique } from './lib/clients.mjs';
import { JOINING, LEAVING, replay, subscribeRecorded } from './lib/presence_record.mjs';

const cluster = useCluster();
const node = (i) => cluster.nodes[i];

const OPERATIONS = 200; // joins plus leaves, over all racers
const RACERS = 24; // 8 per node
const USERS = 8; // user k has racers k, k+8, k+16: one on each node

// A small seeded generator (mulberry32), so that a failing schedule can be replayed with
// RACE_SEED=<seed printed in the failure>.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const presence = (id) => ({ user_id: id, user_info: { name: id } });
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Observers of `channel`, subscribed before a race: pusher-js on every node, and laravel-echo on
// node 1 whose own view of the members (here / joining / leaving) is kept too.
async function observe(channel) {
  const records = [];
  for (let i = 0; i < 3; i += 1) {
    const c = await connectedClient(node(i), { presenceData: presence(`observer-${i}`) });
    await subscribeRecorded(c, channel);
    records.push({ name: `observer on node ${i}`, record: c.received, observer: true });
  }
  const echo = await waitEchoConnected(
    await createEcho(node(1), { presenceData: presence('observer-echo') }),
  );
  const echoView = new Set();
  const echoProblems = [];
  const echoChannel = echo
    .join(channel.slice('presence-'.length))
    .here((members) => {
      echoView.clear();
      for (const m of members) echoView.add(m.name);
    })
    .joining((m) => {
      if (echoView.has(m.name)) echoProblems.push(`joining ${m.name} already here`);
      echoView.add(m.name);
    })
    .leaving((m) => {
      if (!echoView.delete(m.name)) echoProblems.push(`leaving ${m.name} never here`);
    });
  await echoSubscribed(echoChannel, channel);
  const users = ['observer-0', 'observer-1', 'observer-2', 'observer-echo'];
  return { records, echoView, echoProblems, users };
}

// After a race: every record free of violations, every subscribed client's roster (and Echo's)
// equal to `truth`, every node's /users too, and Redis's roster with `connections` per member.
async function checkConverged({ channel, records, watched, truth, connections, subscribedCount, say }) {
  truth = [...truth].sort();
  await eventually(
    say("every subscribed client's roster equal to the truth"),
    () =>
      records.every(({ record }) => {
        const r = replay(record, channel);
        return !r.subscribed || same(r.roster, truth);
      }),
    10000,
  ).catch((error) => {
    const wrong = records
      .map(({ name, record }) => ({ name, ...replay(record, channel) }))
      .filter((r) => r.subscribed && !same(r.roster, truth))
      .map((r) => `${r.name}: ${r.roster.join(',')}`);
    throw new Error(`${error.message}; truth ${truth.join(',')}; wrong: ${wrong.join(' | ')}`);
  });
  for (const { name, record, observer } of records) {
    const r = replay(record, channel);
    assert.deepEqual(r.violations, [], say(`${name} saw`));
    if (observer) assert.equal(r.subscribed, true, `${name} stayed subscribed`);
  }
  const subscribed = records.filter(({ record }) => replay(record, channel).subscribed).length;
  assert.equal(subscribed, subscribedCount, 'clients subscribed at the end');

  await eventually(say("Echo's members equal to the truth"), () => same([...watched.echoView].sort(), truth));
  assert.deepEqual(watched.echoProblems, [], say('Echo saw'));

  for (const [i, gw] of cluster.nodes.entries()) {
    const users = await until(say(`node ${i}'s /users equal to the truth`), async () => {
      const got = await jsonOf(serverSdk(gw).get({ path: `/channels/${channel}/users` }));
      const ids = got.users.map((u) => u.id).sort();
      return same(ids, truth) ? ids : undefined;
    });
    assert.deepEqual(users, truth);
  }
  const roster = (await cluster.redis.raw('HKEYS', appKey(TEST_APP, `roster:${channel}`))).sort();
  assert.deepEqual(roster, truth, 'the roster in Redis');
  const perUser = await cluster.redis.counts(appKey(TEST_APP, `roster-connections:${channel}`));
  assert.deepEqual(perUser, connections, 'connections per member in Redis');
}

test('200 joins and leaves from clients on all nodes leave every roster exact, with no duplicate', async () => {
  const seed = Number(process.env.RACE_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const rand = random(seed);
  const say = (text) => `${text} (RACE_SEED=${seed})`;
  const channel = unique('presence-race');
  const userOf = (i) => `user-${i % USERS}`;
  const watched = await observe(channel);

  // Racers: 24 connections, 8 per node; user k on every node.
  const racers = await Promise.all(
    Array.from({ length: RACERS }, (_, i) => connectedClient(node(i % 3), { presenceData: presence(userOf(i)) })),
  );
  // Operations per racer: 200 over 24, and which racers take one more (they end subscribed).
  const ops = Array(RACERS).fill(Math.floor(OPERATIONS / RACERS));
  const extra = [...Array(RACERS).keys()].sort(() => rand() - 0.5).slice(0, OPERATIONS % RACERS);
  for (const i of extra) ops[i] += 1;
  assert.equal(ops.reduce((a, b) => a + b, 0), OPERATIONS);
  const delays = racers.map(() => Array.from({ length: 2 * Math.max(...ops) }, () => rand()));

  let done = 0;
  await Promise.all(
    racers.map(async (client, i) => {
      let d = 0;
      const wait = () => new Promise((r) => setTimeout(r, Math.floor(delays[i][d++] * 25)));
      await wait();
      for (let op = 0; op < ops[i]; op += 1) {
        if (op % 2 === 0) {
          client.received.push({ event: JOINING });
          const ch = client.subscribe(channel);
          await waitFor(say(`racer ${i} subscribed`), (resolve) => ch.bind('pusher:subscription_succeeded', resolve), 10000);
        } else {
          client.received.push({ event: LEAVING });
          client.unsubscribe(channel);
          await pingPong(client, 10000);
        }
        done += 1;
        await wait();
      }
    }),
  );
  assert.equal(done, OPERATIONS);

  const connections = Object.fromEntries(watched.users.map((u) => [u, 1]));
  for (const i of extra) connections[userOf(i)] = (connections[userOf(i)] ?? 0) + 1;
  await checkConverged({
    channel,
    records: [
      ...watched.records,
      ...racers.map((client, i) => ({ name: `racer ${i} (${userOf(i)}, node ${i % 3})`, record: client.received })),
    ],
    watched,
    truth: Object.keys(connections),
    connections,
    subscribedCount: 3 + extra.length,
    say,
  });
});

test('joins cancelled in flight (unsubscribe or close right behind the subscribe) leave no trace', async () => {
  const seed = Number(process.env.RACE_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const rand = random(seed);
  const say = (text) => `${text} (RACE_SEED=${seed})`;
  const channel = unique('presence-cancel');
  const watched = await observe(channel);
  const CYCLES = 8;
  // 12 raw sockets, 4 per node, users cancel-0..3 with a socket on every node. Each cycle sends
  // a subscribe and, right behind it, an unsubscribe (or, every third cycle, closes the socket
  // and opens a new one). Racers 0..3 then join for good.
  const userOf = (i) => `cancel-${i % 4}`;
  const open = async (i) => {
    const raw = await connect(node(i % 3).wsUrl());
    records[i].record = raw.messages;
    return raw;
  };
  const records = Array.from({ length: 12 }, (_, i) => ({ name: `raw racer ${i} (${userOf(i)}, node ${i % 3})` }));
  const subscribeMessage = (raw, i) => {
    const data = JSON.stringify(presence(userOf(i)));
    return { event: 'pusher:subscribe', data: { channel, auth: channelAuth(raw.socketId, channel, data), channel_data: data } };
  };
  const pong = (raw) => {
    raw.send({ event: 'pusher:ping', data: {} });
    return raw.waitEvent('pusher:pong', { timeout: 10000 });
  };
  await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      let raw = await open(i);
      for (let cycle = 0; cycle < CYCLES; cycle += 1) {
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 20)));
        raw.messages.push({ event: JOINING });
        raw.send(subscribeMessage(raw, i));
        if (cycle % 3 === 2) {
          raw.terminate(); // gone while its join is on its way
          records.push({ name: `${records[i].name}, closed in cycle ${cycle}`, record: raw.messages });
          raw = await open(i);
          continue;
        }
        raw.messages.push({ event: LEAVING });
        raw.send({ event: 'pusher:unsubscribe', data: { channel } });
        await pong(raw);
      }
      if (i < 4) {
        raw.messages.push({ event: JOINING });
        await raw.subscribe(channel, subscribeMessage(raw, i).data, 10000);
      }
    }),
  );
  const connections = Object.fromEntries(watched.users.map((u) => [u, 1]));
  for (let i = 0; i < 4; i += 1) connections[userOf(i)] = 1;
  await checkConverged({
    channel,
    records: [...watched.records, ...records],
    watched,
    truth: Object.keys(connections),
    connections,
    subscribedCount: 3 + 4,
    say,
  });
});
