// A client that stops reading is cut off with 4100 once the server has queued more than
// max_write_buffer_kb for it: its memory stays bounded and everyone else keeps receiving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { connect, closeAllClients } from './lib/raw_ws.mjs';
import { triggerBatch } from './lib/http_api.mjs';
import { sleep } from './lib/wait.mjs';

let gw;
before(async () => {
  // The cap must hold one burst (a batch of 10 events of 9 KB arrives at once) so that a client that
  // keeps reading is never cut; the stalled one overflows it once its kernel buffers are full.
  gw = await startGateway({ config: { max_write_buffer_kb: 256 } });
});
after(async () => {
  closeAllClients();
  await gw.stop();
});

test('a reader that stalls is closed with 4100 and a bystander receives everything', async () => {
  const stalled = await connect(gw.wsUrl());
  const bystander = await connect(gw.wsUrl());
  await stalled.subscribe('firehose');
  await bystander.subscribe('firehose');
  // Stop reading: the kernel buffers fill, then the server's queue for this client grows.
  stalled.ws._socket.pause();

  const payload = 'x'.repeat(9000);
  // 250 x 10 events x ~9 KB = ~22 MB: past what loopback socket buffers absorb (a few MB each
  // way) and then the cap.
  const batches = 250;
  let sent = 0;
  for (let b = 0; b < batches; ++b) {
    const events = Array.from({ length: 10 }, (_, i) => ({
      channel: 'firehose', name: 'chunk', data: JSON.stringify({ n: b * 10 + i, payload }),
    }));
    const response = await triggerBatch(gw, events);
    assert.equal(response.status, 200);
    sent += 10;
    if (b % 10 === 0) await sleep(5); // let the bystander drain; nothing here is timed
  }

  // The bystander gets every event, in order.
  const deadline = Date.now() + 20000;
  while (bystander.messages.filter((m) => m.event === 'chunk').length < sent && Date.now() < deadline) {
    await sleep(50);
  }
  const received = bystander.messages.filter((m) => m.event === 'chunk').map((m) => m.data.n);
  assert.equal(received.length, sent, 'the bystander lost events');
  assert.deepEqual(received, [...received].sort((a, b) => a - b));

  // The stalled client, once it reads again, finds the server gave up on it with 4100 (reconnect
  // later) and received far less than everything.
  stalled.ws._socket.resume();
  const close = await stalled.waitClose(20000);
  assert.equal(close.code, 4100);
  const error = stalled.messages.find((m) => m.event === 'pusher:error');
  assert.equal(error?.data?.code, 4100);
  // Nothing is written after the refusal: it is the last message before the close frame.
  assert.equal(stalled.messages.at(-1).event, 'pusher:error');
  assert.ok(stalled.messages.filter((m) => m.event === 'chunk').length < sent);
});

test('a client that keeps pinging but never reads the pongs is closed with 4100', async () => {
  const pinger = await connect(gw.wsUrl());
  pinger.ws._socket.pause();
  // ~30 MB of pongs asked for: past the loopback socket buffers (a few MB each way), then the cap.
  // The answers are replies, not deliveries, and must count against the cap all the same.
  const payload = Buffer.alloc(125, 'p');
  const pings = 240000;
  await new Promise((resolve, reject) => {
    for (let i = 1; i < pings; ++i) pinger.ws.ping(payload, true);
    // Called once the last ping has been written to the socket.
    pinger.ws.ping(payload, true, (err) => (err ? reject(err) : resolve()));
  });
  pinger.ws._socket.resume();
  const close = await pinger.waitClose(20000);
  assert.equal(close.code, 4100);
  assert.ok(pinger.pongs.length < pings, 'every ping was answered: nothing was capped');
});
