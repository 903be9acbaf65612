// Deliveries leave once per connection per loop turn (gateway/README.md, "Connections"): whatever
// a turn queued for a connection goes out in one gather write at its end. What a client sees must
// not change: every event arrives, each publisher's events in the order it published them, and a
// lone publish is not held back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from './lib/gateway.mjs';
import { connect, closeAllClients } from './lib/raw_ws.mjs';
import { trigger, triggerBatch } from './lib/http_api.mjs';
import { sleep } from './lib/wait.mjs';

let gw;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  closeAllClients();
  await gw.stop();
});

// Polls until `count` events named `name` arrived at `client`; fails after `ms`.
async function receive(client, name, count, ms = 10000) {
  const deadline = Date.now() + ms;
  const arrived = () => client.messages.filter((m) => m.event === name);
  while (arrived().length < count && Date.now() < deadline) await sleep(20);
  return arrived();
}

test("events of concurrent publishers all arrive, each publisher's in its order", async () => {
  const subscribers = await Promise.all([0, 1, 2].map(() => connect(gw.wsUrl())));
  for (const client of subscribers) await client.subscribe('turns');
  const publishers = 8;
  const batches = 5;
  await Promise.all(
    Array.from({ length: publishers }, async (_, p) => {
      for (let b = 0; b < batches; ++b) {
        const events = Array.from({ length: 10 }, (_, i) => ({
          channel: 'turns',
          name: 'seq',
          data: JSON.stringify({ p, n: b * 10 + i }),
        }));
        const response = await triggerBatch(gw, events);
        assert.equal(response.status, 200);
      }
    }),
  );
  const total = publishers * batches * 10;
  for (const client of subscribers) {
    const received = await receive(client, 'seq', total);
    assert.equal(received.length, total, 'a subscriber lost events');
    for (let p = 0; p < publishers; ++p) {
      const order = received.filter((m) => m.data.p === p).map((m) => m.data.n);
      assert.deepEqual(order, [...Array(batches * 10).keys()], `publisher ${p} out of order`);
    }
  }
});

test('a lone publish is delivered at once, and a ping between publishes is answered', async () => {
  const client = await connect(gw.wsUrl());
  await client.subscribe('lone');
  for (let n = 0; n < 20; ++n) {
    const response = await trigger(gw, { name: 'one', channel: 'lone', data: JSON.stringify({ n }) });
    assert.equal(response.status, 200);
    // Acknowledged once queued; written at the end of that turn, not held for company.
    const got = await client.waitEvent('one', { where: (m) => m.data.n === n, timeout: 2000 });
    assert.equal(got.data.n, n);
    client.ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
    await client.waitEvent('pusher:pong', { timeout: 2000 });
  }
});
