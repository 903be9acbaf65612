// The bounds an anonymous client runs into (issue 13): the descriptor budget and the accept loop
// when descriptors run short, the deadline and size limit of a WebSocket message, and a 400 that
// honours Connection: close. Each test first does what an attacker did against the unbounded
// gateway, then checks the bound held, that it was counted in /metrics, and that a bystander
// kept working.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { metric } from './lib/metrics.mjs';
import { closeAllClients, connect, RawClient } from './lib/raw_ws.mjs';
import { sleep } from './lib/wait.mjs';

after(() => closeAllClients());

// A raw TCP connection that sends `text` and collects what comes back until the server ends it
// or `ms` pass. Resolves { data, ended } (ended: the server closed its side in time).
function rawExchange(port, text, ms) {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data, ended: false });
    }, ms);
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data, ended: true });
    });
  });
}

// Opens a TCP connection; resolves with the socket once connected (or null if refused).
function openSocket(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => resolve(null));
  });
}

// A client frame header (masked, mask 0) announcing a text message of `length` bytes.
function textHeader(length) {
  if (length < 126) return Buffer.from([0x81, 0x80 | length, 0, 0, 0, 0]);
  const header = Buffer.alloc(8 + 4);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;  // mask key 0: the payload goes as written
}

describe('a 400 for a malformed request target', () => {
  it('honours Connection: close instead of holding the socket for the idle timeout', async () => {
    const gw = await startGateway();
    try {
      const { data, ended } = await rawExchange(
        gw.port,
        `GET /apps/${TEST_APP.id}/channels/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        5000,
      );
      assert.match(data, /^HTTP\/1\.1 400 /);
      assert.match(data, /malformed request target/);
      assert.ok(ended, 'the gateway closed the connection after its answer');
    } finally {
      await gw.stop();
    }
  });
});

describe('WebSocket messages: a deadline from the first byte, and a limit sized for Pusher', () => {
  let gw;
  after(async () => {
    closeAllClients();
    await gw?.stop();
  });

  it('an unfinished message trickled one byte at a time is cut with 1008 at its deadline', async () => {
    gw = await startGateway({ config: { message_timeout_ms: 1000 } });
    const bystander = await connect(gw.wsUrl());
    const attacker = await connect(gw.wsUrl());
    const socket = attacker.ws._socket;
    // All but the last 100 bytes of a 4000-byte message, then one more byte every 200 ms: each
    // byte used to count as activity, so the message pinned its buffer for ever.
    socket.write(Buffer.concat([textHeader(4000), Buffer.alloc(3900, 'x')]));
    let trickled = 0;
    const trickle = setInterval(() => {
      if (trickled++ < 40 && !socket.destroyed) socket.write('x');
    }, 200);
    try {
      const close = await attacker.waitClose(6000);
      assert.equal(close.code, 1008, JSON.stringify(close));
      assert.ok(trickled < 40, `cut while still trickling (${trickled} bytes)`);
    } finally {
      clearInterval(trickle);
    }
    bystander.send({ event: 'pusher:ping', data: {} });
    await bystander.waitEvent('pusher:pong');
    assert.equal(
      await metric(gw, 'realtime_connections_closed_total', `{app="${TEST_APP.id}",reason="1008"}`),
      1,
    );
  });

  it('messages that complete in time are never cut, however long the connection streams', async () => {
    const client = await connect(gw.wsUrl());
    const ping = Buffer.from(JSON.stringify({ event: 'pusher:ping', data: {} }));
    const frame = Buffer.concat([textHeader(ping.length), ping]);
    // Every write ends inside a frame, so the reader always holds an unfinished one; each
    // frame still completes within the deadline.
    const socket = client.ws._socket;
    socket.write(frame.subarray(0, 5));
    for (let i = 0; i < 25; i += 1) {
      await sleep(100);
      socket.write(Buffer.concat([frame.subarray(5), frame.subarray(0, 5)]));
    }
    assert.equal(client.closeInfo, undefined, JSON.stringify(client.closeInfo));
    assert.ok(client.pending('pusher:pong').length >= 20);
  });

  it('the default message limit (32 KiB) refuses 40 KiB with 1009 and lets 30 KiB through', async () => {
    const fresh = await startGateway();
    try {
      const fits = await connect(fresh.wsUrl());
      fits.send({ event: 'pusher:ping', data: { pad: 'p'.repeat(30 * 1024) } });
      await fits.waitEvent('pusher:pong');
      const big = await connect(fresh.wsUrl());
      big.send({ event: 'pusher:ping', data: { pad: 'p'.repeat(40 * 1024) } });
      const close = await big.waitClose(5000);
      assert.equal(close.code, 1009);
    } finally {
      closeAllClients();
      await fresh.stop();
    }
  });
});

describe('descriptors: raised to the hard limit, budgeted, and an accept loop that backs off', () => {
  it('a flood of half-sent requests past the descriptor limit is shed, not spun on', async () => {
    // 400 descriptors in all, 100 kept back: 300 client sockets, 270 WebSockets.
    const gw = await startGateway({
      config: { reserved_descriptors: 100, threads: 2 },
      launcher: ['prlimit', '--nofile=256:400', '--'],
    });
    const sockets = [];
    try {
      const listening = gw.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'listening');
      assert.equal(listening.descriptor_limit, 400, 'soft limit raised to the hard limit');
      assert.equal(listening.max_connections, 270);
      const ws = [];
      for (let i = 0; i < 280; i += 1) ws.push(await admitOrRefuse(gw));
      const refusedCodes = ws.filter((c) => c.refusedWith).map((c) => c.refusedWith);
      assert.equal(refusedCodes.length, 10, 'past max_connections');
      assert.ok(refusedCodes.every((code) => code === 4100), JSON.stringify(refusedCodes));
      // Half-sent HTTP requests on top: more than the sockets left and the descriptors left.
      for (let i = 0; i < 200; i += 1) {
        const socket = await openSocket(gw.port);
        if (socket) {
          socket.write('GET /apps/x/channels HTTP/1.1\r\nHost: x\r\n');
          sockets.push(socket);
        }
      }
      await sleep(500);
      assert.ok((await metric(gw, 'realtime_client_sockets_shed_total')) > 0, 'shed and counted');
      // The operator listener and the connected clients still work.
      assert.equal((await fetch(`${gw.operatorUrl}/livez`)).status, 200);
      const alive = ws.find((c) => c.client);
      alive.client.send({ event: 'pusher:ping', data: {} });
      await alive.client.waitEvent('pusher:pong');
      const failures = gw.logLines.filter((l) => l.includes('accept failed')).length;
      assert.ok(failures <= 4, `accept failures logged ${failures} times, at most once per 10 s per thread`);
    } finally {
      for (const socket of sockets) socket.destroy();
      closeAllClients();
      await gw.stop();
    }
  });
});

// Connects a WebSocket; { client } when admitted, { refusedWith: code } when refused.
async function admitOrRefuse(gw) {
  const client = new RawClient(gw.wsUrl());
  try {
    await client.established();
    return { client };
  } catch {
    return { refusedWith: (await client.waitClose(5000)).code };
  }
}
