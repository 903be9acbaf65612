// Concurrency stress: every thread of the gateway busy at once, for the sanitizer builds (TSan
// above all; tests/README.md). HTTP and gRPC publishes, subscribe/unsubscribe churn on public
// and presence channels, presence joins of the same and of different users, client events,
// connection churn, queries and metric scrapes, all interleaved on 4 I/O threads. Asserts only
// that everything is answered and that the gateway exits cleanly with no sanitizer report;
// speed is never asserted. Every loop is bounded in count.
//
// Run by CTest as `stress` (node --test stress/concurrency.mjs); not part of the conformance glob.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from '../lib/gateway.mjs';
import { channelAuth, closeAllClients, RawClient } from '../lib/raw_ws.mjs';
import { serverSdk } from '../lib/clients.mjs';
import { closeAllGrpc, controlPlane } from '../lib/grpc.mjs';

const ROUNDS = Number(process.env.STRESS_ROUNDS ?? 100);
const CLIENTS = 16;
// Sanitizer builds run several times slower; waits are generous, never a measure.
const WAIT = 30000;

async function connect(url) {
  const client = new RawClient(url);
  await client.established(WAIT);
  return client;
}

async function churner(gw, index) {
  const client = await connect(gw.wsUrl());
  const socketId = client.socketId;
  for (let round = 0; round < ROUNDS; round += 1) {
    const publicChannel = `stress-${(index + round) % 8}`;
    await client.subscribe(publicChannel, {}, WAIT);
    // Two users share ids across clients, so the same user joins from several threads.
    const presence = `presence-stress-${round % 3}`;
    const channelData = JSON.stringify({ user_id: `u${index % 5}`, user_info: { i: index } });
    await client.subscribe(presence, {
      auth: channelAuth(socketId, presence, channelData),
      channel_data: channelData,
    }, WAIT);
    const priv = `private-stress-${index % 4}`;
    await client.subscribe(priv, { auth: channelAuth(socketId, priv) }, WAIT);
    client.send({ event: 'client-hop', channel: priv, data: { round } });
    client.unsubscribe(publicChannel);
    client.unsubscribe(presence);
    client.unsubscribe(priv);
  }
  client.send({ event: 'pusher:ping', data: {} });
  await client.waitEvent('pusher:pong', { timeout: WAIT });
  client.terminate();
}

async function connectionChurn(gw) {
  for (let i = 0; i < ROUNDS; i += 1) {
    const client = await connect(gw.wsUrl());
    await client.subscribe(`stress-${i % 8}`, {}, WAIT);
    client.terminate();
  }
}

async function httpPublisher(gw) {
  const sdk = serverSdk(gw);
  for (let i = 0; i < ROUNDS * 2; i += 1) {
    await sdk.trigger([`stress-${i % 8}`, `presence-stress-${i % 3}`], 'tick', { i });
    if (i % 10 === 0) await sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-' } });
  }
}

async function grpcPublisher(gw) {
  const cp = controlPlane(gw);
  for (let i = 0; i < ROUNDS * 2; i += 1) {
    await cp.publish({ channels: [`stress-${(i + 3) % 8}`], name: 'tock', data: String(i) }, { deadlineMs: WAIT });
    if (i % 10 === 0) await cp.listChannels({}, { deadlineMs: WAIT });
  }
}

async function scraper(gw) {
  for (let i = 0; i < ROUNDS / 4; i += 1) {
    const res = await fetch(`${gw.operatorUrl}/metrics`);
    assert.equal(res.status, 200);
    await res.text();
  }
}

test('publishes, churn and presence on every I/O thread at once leave a clean exit', { timeout: 600000 }, async () => {
  const gw = await startGateway({
    // Churners subscribe as fast as the gateway answers: every per-connection rate is off.
    apps: [
      {
        ...TEST_APP,
        enable_client_messages: true,
        max_client_events_per_second: 0,
        max_subscriptions_per_second: 0,
        max_presence_joins_per_second: 0,
      },
    ],
    config: { threads: 4 },
  });
  try {
    await Promise.all([
      ...Array.from({ length: CLIENTS }, (_, i) => churner(gw, i)),
      connectionChurn(gw),
      httpPublisher(gw),
      grpcPublisher(gw),
      scraper(gw),
    ]);
  } finally {
    closeAllClients();
    closeAllGrpc();
    const { code, signal } = await gw.stop(60000);  // throws on a sanitizer report
    assert.equal(signal, null, gw.stderr());
    assert.equal(code, 0, gw.stderr());
  }
});
