// Publish back-pressure. A publish (HTTP API or gRPC) is answered only once every I/O thread has
// fanned it out, so a publisher that awaits its answers (every Pusher SDK does) is paced by the
// shards; and while some shard has more than max_publish_backlog deliveries waiting, a new
// publish is refused (HTTP 503 + Retry-After: 1, gRPC UNAVAILABLE) instead of queued. What was
// acknowledged is delivered; what was refused is not.
//
// The gateway runs with max_publish_backlog 1 and two I/O threads, and every publish here is a
// batch to a channel with many subscribers, so each one leaves every shard ten deliveries behind
// for a while. That alone proves nothing about timing; the assertions are about what cannot
// happen: a closed-loop publisher refused (its previous publish would have had to be answered
// before its fan-out ran), an answer before its events, or an acknowledged event missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { connect, closeAllClients } from './lib/raw_ws.mjs';
import { hmacHex, md5Hex, nowSeconds, stringToSign, trigger, triggerBatch } from './lib/http_api.mjs';
import { closeAllGrpc, controlPlane, failure, Status } from './lib/grpc.mjs';
import { sleep } from './lib/wait.mjs';

const SUBSCRIBERS = 40;
const BATCH = 10;

let gw;
before(async () => {
  gw = await startGateway({ config: { max_publish_backlog: 1, threads: 2 } });
});
after(async () => {
  closeAllClients();
  closeAllGrpc();
  await gw?.stop();
});

// `count` raw clients subscribed to `channel`.
async function subscribers(channel, count = SUBSCRIBERS) {
  const clients = [];
  for (let i = 0; i < count; i += 1) {
    const client = await connect(gw.wsUrl());
    await client.subscribe(channel);
    clients.push(client);
  }
  return clients;
}

const batchOf = (channel, ids) =>
  ids.map((id) => ({ channel, name: 'tick', data: JSON.stringify({ id }) }));

// The ids of the `tick` events `client` received on `channel`, in arrival order.
const receivedIds = (client, channel) =>
  client.messages.filter((m) => m.event === 'tick' && m.channel === channel).map((m) => m.data.id);

// Waits (bounded) until every client has received `count` ticks on `channel`.
async function untilEveryoneHas(clients, channel, count, ms = 20000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (clients.every((c) => receivedIds(c, channel).length >= count)) return;
    await sleep(25);
  }
  const short = clients.map((c) => receivedIds(c, channel).length).filter((n) => n < count);
  assert.fail(`${short.length} subscribers have fewer than ${count} events: ${short.join(', ')}`);
}

describe('acknowledged after fan-out', () => {
  test('a publisher that awaits each answer is never refused, even with a ceiling of 1', async () => {
    const channel = 'bp-closed-loop';
    const clients = await subscribers(channel);
    const watcher = clients[0];
    const cp = controlPlane(gw);
    const sent = [];
    for (let round = 0; round < 20; round += 1) {
      const httpIds = Array.from({ length: BATCH }, (_, k) => `h${round}-${k}`);
      const response = await triggerBatch(gw, batchOf(channel, httpIds));
      // Answered after every shard ran its ten deliveries: they no longer count, so the next
      // publish finds room. Answering on posting instead would leave ten waiting, over 1.
      assert.equal(response.status, 200, `HTTP batch ${round}: ${response.text}`);
      sent.push(...httpIds);
      // The frames were queued to every subscriber before the answer: the last one arrives
      // promptly (the bound is generous; what matters is that it arrives).
      await watcher.waitMatch(
        (m) => m.event === 'tick' && m.data?.id === httpIds.at(-1),
        `event ${httpIds.at(-1)} soon after its 200`,
        2000,
      );

      const grpcIds = Array.from({ length: BATCH }, (_, k) => `g${round}-${k}`);
      await cp.publishBatch({ events: batchOf(channel, grpcIds) });
      sent.push(...grpcIds);
    }
    await untilEveryoneHas(clients, channel, sent.length);
    for (const client of clients) assert.deepEqual(receivedIds(client, channel), sent);
  });

  test('pipelined publishes on one keep-alive connection are answered in order', async () => {
    const channel = 'bp-pipelined';
    const clients = await subscribers(channel, 10);
    const firstIds = Array.from({ length: BATCH }, (_, k) => `first-${k}`);
    const requests = [
      signedPost(`/apps/${TEST_APP.id}/batch_events`, { batch: batchOf(channel, firstIds) }),
      signedPost(`/apps/${TEST_APP.id}/events`, {
        name: 'tick',
        channel,
        data: JSON.stringify({ id: 'second' }),
      }),
      signedPost(`/apps/${TEST_APP.id}/events`, {
        name: 'tick',
        channel,
        data: JSON.stringify({ id: 'third' }),
        info: 'subscription_count',
      }),
    ];
    // All three in one write: the server reads the second only after answering the first.
    const responses = await exchange(requests.join(''), requests.length);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200],
      JSON.stringify(responses),
    );
    assert.equal(responses[0].body, '{}');
    assert.equal(responses[1].body, '{}');
    assert.deepEqual(JSON.parse(responses[2].body), {
      channels: { [channel]: { subscription_count: 10 } },
    });
    await untilEveryoneHas(clients, channel, BATCH + 2);
    for (const client of clients) {
      assert.deepEqual(receivedIds(client, channel), [...firstIds, 'second', 'third']);
    }
  });
});

describe('over the ceiling', () => {
  test('publishes are refused with 503 + Retry-After and UNAVAILABLE; every acknowledged one is delivered', async () => {
    const channel = 'bp-flood';
    const clients = await subscribers(channel);
    const cp = controlPlane(gw);
    const acknowledged = new Set();
    const refused = { http: 0, grpc: 0 };
    let refusedMessage = '';

    // Concurrent batches from both doors, until each door has seen a refusal (bounded).
    // Faster hardware may need more rounds before the shards fall behind; the loop ends at the
    // first refusal from both doors.
    for (let round = 0; round < 60 && (refused.http === 0 || refused.grpc === 0); round += 1) {
      const calls = [];
      for (let i = 0; i < 12; i += 1) {
        const httpIds = Array.from({ length: BATCH }, (_, k) => `h${round}-${i}-${k}`);
        calls.push(
          triggerBatch(gw, batchOf(channel, httpIds)).then((response) => {
            if (response.status === 200) {
              for (const id of httpIds) acknowledged.add(id);
              return;
            }
            assert.equal(response.status, 503, response.text);
            assert.equal(response.headers.get('retry-after'), '1');
            assert.match(response.headers.get('content-type'), /application\/json/);
            assert.match(response.json?.error ?? '', /over capacity.*retry/);
            refused.http += 1;
          }),
        );
        const grpcIds = Array.from({ length: BATCH }, (_, k) => `g${round}-${i}-${k}`);
        calls.push(
          cp.publishBatch({ events: batchOf(channel, grpcIds) }).then(
            () => {
              for (const id of grpcIds) acknowledged.add(id);
            },
            (error) => {
              assert.equal(error.code, Status.UNAVAILABLE, `${error.code}: ${error.details}`);
              assert.match(error.details, /over capacity.*retry/);
              refusedMessage = error.details;
              refused.grpc += 1;
            },
          ),
        );
      }
      await Promise.all(calls);
    }
    assert.ok(refused.http > 0, 'no HTTP publish was refused');
    assert.ok(refused.grpc > 0, 'no gRPC publish was refused');
    assert.match(refusedMessage, /limit of 1\b/);
    assert.ok(acknowledged.size > 0, 'nothing was acknowledged');

    // The gateway is fine, and counted every refusal.
    assert.equal((await fetch(`${gw.httpUrl}/livez`)).status, 200);
    const metrics = await (await fetch(`${gw.operatorUrl}/metrics`)).text();
    const counted = Number(/^realtime_publishes_refused_total (\d+)$/m.exec(metrics)?.[1]);
    assert.equal(counted, refused.http + refused.grpc, metrics);
    // Every answered publish was fanned out first, and a refused one queued nothing.
    assert.match(metrics, /^realtime_fanout_backlog\{shard="0"\} 0$/m);
    assert.match(metrics, /^realtime_fanout_backlog\{shard="1"\} 0$/m);

    // Every subscriber got exactly what was acknowledged: nothing lost, nothing refused.
    await untilEveryoneHas(clients, channel, acknowledged.size);
    for (const client of clients) {
      const ids = receivedIds(client, channel);
      assert.equal(ids.length, acknowledged.size);
      assert.deepEqual(new Set(ids), acknowledged);
    }
    // A closed-loop publish goes through again once the shards caught up.
    const later = await trigger(gw, { name: 'tick', channel, data: JSON.stringify({ id: 'later' }) });
    assert.equal(later.status, 200, later.text);
  });
});

// A signed POST as raw HTTP/1.1 text (keep-alive), for pipelining.
function signedPost(path, body) {
  const text = JSON.stringify(body);
  const params = {
    auth_key: TEST_APP.key,
    auth_timestamp: String(nowSeconds()),
    auth_version: '1.0',
    body_md5: md5Hex(text),
  };
  params.auth_signature = hmacHex(TEST_APP.secret, stringToSign('POST', path, params));
  const search = new URLSearchParams(params).toString();
  return (
    `POST ${path}?${search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
  );
}

// Writes `text` on one connection and resolves with the first `count` responses, in the order
// they came ({status, body}); bounded.
function exchange(text, count, ms = 10000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(gw.port, '127.0.0.1', () => socket.write(text));
    let buffer = Buffer.alloc(0);
    const responses = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${responses.length} of ${count} responses after ${ms} ms`));
    }, ms);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buffer.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) break;
        responses.push({
          status: Number(head.split(' ')[1]),
          body: buffer.subarray(end + 4, end + 4 + length).toString('utf8'),
        });
        buffer = buffer.subarray(end + 4 + length);
      }
      if (responses.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(responses);
      }
    });
  });
}
