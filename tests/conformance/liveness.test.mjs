// Liveness (protocol notes §1.2): pusher:ping / pusher:pong, WebSocket control-frame ping/pong,
// the server pinging a silent client after activity_timeout and closing it with 4201 when no
// answer comes, and clients that answer or keep talking staying connected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { closeAllClients, connect, RawClient } from './lib/raw_ws.mjs';
import { sleep } from './lib/wait.mjs';

const FAST = { id: 'fast', key: 'fast-key', secret: 'fast-secret', activity_timeout: 1 };
let gw;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, FAST] });
});
after(async () => {
  closeAllClients();
  await gw?.stop();
});

describe('answers to client pings', () => {
  it('pusher:ping -> pusher:pong', async () => {
    const client = await connect(gw.wsUrl());
    client.send({ event: 'pusher:ping', data: {} });
    const pong = await client.waitEvent('pusher:pong', { timeout: 2000 });
    assert.equal(pong.event, 'pusher:pong');
    // and again: the answer is not a one-off
    client.send({ event: 'pusher:ping', data: {} });
    await client.waitEvent('pusher:pong', { timeout: 2000 });
    client.terminate();
  });

  it('WebSocket ping control frame -> pong frame with the same payload', async () => {
    const client = await connect(gw.wsUrl());
    client.ws.ping(Buffer.from('are-you-there'));
    const deadline = Date.now() + 2000;
    while (client.pongs.length === 0 && Date.now() < deadline) await sleep(20);
    assert.equal(client.pongs.length, 1, 'no pong frame within 2 s');
    assert.equal(client.pongs[0].toString(), 'are-you-there');
    assert.equal(client.isOpen, true);
    client.terminate();
  });

  it('connection_established announces activity_timeout 1 for the fast app', async () => {
    const client = await connect(gw.wsUrl(FAST.key));
    assert.equal(client.activityTimeout, 1);
    client.terminate();
  });
});

describe('server-initiated liveness (activity_timeout: 1)', () => {
  it('a silent client gets pusher:ping within ~3 s and, never answering, is closed with 4201 within ~6 s', async () => {
    const started = Date.now();
    // autoPong off: not even a control-frame pong goes back, the client is truly silent.
    const client = new RawClient(gw.wsUrl(FAST.key), { autoPong: false });
    await client.established();
    const ping = await client.waitEvent('pusher:ping', { timeout: 3000 });
    const pingAfter = ping.at - started;
    assert.ok(pingAfter <= 3000, `ping after ${pingAfter} ms`);
    const close = await client.waitClose(6500 - (Date.now() - started));
    assert.equal(close.code, 4201, `close: ${JSON.stringify(close)}; events ${JSON.stringify(client.events())}`);
    assert.ok(Date.now() - started <= 6500, `closed after ${Date.now() - started} ms`);
  });

  // The three "stays open" clients run side by side to keep the suite fast.
  describe('clients that show signs of life stay open for 5 s', { concurrency: true }, () => {
    it('answers every pusher:ping with pusher:pong', async () => {
      const client = await connect(gw.wsUrl(FAST.key));
      let answered = 0;
      client.ws.on('message', (raw) => {
        let m;
        try {
          m = JSON.parse(raw.toString());
        } catch {
          return;
        }
        if (m.event === 'pusher:ping') {
          answered += 1;
          client.send({ event: 'pusher:pong', data: {} });
        }
      });
      await sleep(5000);
      assert.equal(client.isOpen, true, `closed: ${JSON.stringify(client.closeInfo)}`);
      assert.ok(answered >= 1, 'the server never pinged a silent-but-answering client');
      client.terminate();
    });

    it('keeps sending messages (pusher:ping, subscribe) every 500 ms', async () => {
      const client = await connect(gw.wsUrl(FAST.key));
      let n = 0;
      const timer = setInterval(() => {
        n += 1;
        if (n % 2) client.send({ event: 'pusher:ping', data: {} });
        else client.send({ event: 'pusher:subscribe', data: { channel: `keepalive-${n}` } });
      }, 500);
      try {
        await sleep(5000);
      } finally {
        clearInterval(timer);
      }
      assert.equal(client.isOpen, true, `closed: ${JSON.stringify(client.closeInfo)}`);
      assert.ok(client.pending('pusher:pong').length >= 3, JSON.stringify(client.events()));
      client.terminate();
    });

    it('keeps sending WebSocket ping control frames every 500 ms (any inbound frame is activity)', async () => {
      const client = await connect(gw.wsUrl(FAST.key));
      const timer = setInterval(() => client.ws.ping(), 500);
      try {
        await sleep(5000);
      } finally {
        clearInterval(timer);
      }
      assert.equal(client.isOpen, true, `closed: ${JSON.stringify(client.closeInfo)}`);
      assert.ok(client.pongs.length >= 5, `pongs: ${client.pongs.length}`);
      client.terminate();
    });
  });
});
