// An app's max_connections counts the cluster's connections. Each node admits against its own
// count plus the other nodes' as of their last heartbeat (every second here), so:
//   - settled, the limit holds on every node: once the cluster has `limit` connections, a new one
//     is refused with 4004 on any node, and a freed slot is usable from any node;
//   - in a burst that lands on every node within one heartbeat, each node can admit up to the
//     limit minus what it last heard: the overshoot is measured here and bounded by
//     (nodes - 1) x the headroom at the burst's start.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../conformance/lib/raw_ws.mjs';
import { appKey, until, useCluster } from './lib/cluster.mjs';

const LIMIT = 12;
const LIMITED = { id: 'limited', key: 'limited-key', secret: 'limited-secret', max_connections: LIMIT };

const cluster = useCluster({ apps: [LIMITED] });
const node = (i) => cluster.nodes[i];

// Opens a connection on node `i`: {ok: true, client} once established, or {ok: false, code}.
async function attempt(i) {
  const client = new RawClient(node(i).wsUrl(LIMITED.key));
  const outcome = await Promise.race([
    client.established().then(() => ({ ok: true, client })),
    client.closed.then((close) => ({ ok: false, code: close.code })),
  ]);
  return outcome;
}

async function closeAll(clients) {
  for (const c of clients.splice(0)) {
    c.ws.close(1000);
    await c.waitClose();
  }
}

// Waits (bounded) until every node refuses a new connection with 4004; an attempt a node still
// admits (its view not yet refreshed) is closed again at once.
async function untilFullEverywhere() {
  for (const i of [0, 1, 2]) {
    await until(`node ${i} refuses a connection over the limit`, async () => {
      const outcome = await attempt(i);
      if (outcome.ok) {
        outcome.client.ws.close(1000);
        await outcome.client.waitClose();
        return false;
      }
      assert.equal(outcome.code, 4004);
      return true;
    }, 5000, 200);
  }
}

describe('app max_connections across the cluster', () => {
  test('settled: the limit holds on every node, and a freed slot is usable from any node', async () => {
    const open = [];
    for (let k = 0; k < LIMIT; k += 1) {
      const outcome = await attempt(k % 3);
      assert.equal(outcome.ok, true, `connection ${k + 1} of ${LIMIT} admitted`);
      open.push(outcome.client);
    }
    await untilFullEverywhere();
    // One leaves on node 0: node 2 admits one more, once it heard of it; then full again.
    const leaving = open.shift();
    leaving.ws.close(1000);
    await leaving.waitClose();
    const admitted = await until('node 2 admits into the freed slot', async () => {
      const outcome = await attempt(2);
      return outcome.ok ? outcome.client : false;
    }, 5000, 200);
    open.push(admitted);
    await untilFullEverywhere();
    await closeAll(open);
  });

  test('a burst on every node at once: the overshoot stays within (nodes - 1) x the headroom', async (t) => {
    // Every node has reported 0 connections; one heartbeat later each has read the others' 0.
    await until('every node reports no connection', async () => {
      const counts = await cluster.redis.raw('HVALS', appKey(LIMITED, 'connections'));
      return counts.length === 3 && counts.every((c) => c === '0');
    });
    await new Promise((r) => setTimeout(r, 1200)); // a heartbeat (1 s with a 3 s lease)
    const perNode = LIMIT; // as many as the limit on each node
    const outcomes = await Promise.all(
      [0, 1, 2].flatMap((i) => Array.from({ length: perNode }, () => attempt(i))),
    );
    const admitted = outcomes.filter((o) => o.ok);
    const refusedCodes = [...new Set(outcomes.filter((o) => !o.ok).map((o) => o.code))];
    const overshoot = admitted.length - LIMIT;
    t.diagnostic(
      `burst of ${perNode} per node on 3 nodes at once, limit ${LIMIT}: ${admitted.length} admitted ` +
        `(overshoot ${overshoot}), refused with ${JSON.stringify(refusedCodes)}`,
    );
    assert.ok(admitted.length >= LIMIT, 'the cluster never admits fewer than its limit');
    assert.ok(overshoot <= 2 * LIMIT, `overshoot ${overshoot} within (nodes - 1) x headroom`);
    assert.ok(refusedCodes.every((c) => c === 4004), `refusals are 4004: ${refusedCodes}`);
    // Once heard, the overshoot admits nobody more until the cluster is back under the limit.
    const open = admitted.map((o) => o.client);
    await untilFullEverywhere();
    while (open.length > LIMIT - 1) {
      const c = open.pop();
      c.ws.close(1000);
      await c.waitClose();
    }
    const back = await until('a slot again once under the limit', async () => {
      const outcome = await attempt(1);
      return outcome.ok ? outcome.client : false;
    }, 5000, 200);
    open.push(back);
    await untilFullEverywhere();
    await closeAll(open);
  });
});
