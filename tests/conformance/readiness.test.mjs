// Readiness during a drain: on SIGTERM /readyz (and /up) turn 503 on connections that are still
// open, while /livez stays 200, so load balancers stop sending new clients before the process goes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startGateway, TEST_APP } from './lib/gateway.mjs';

const gateways = [];
after(async () => {
  for (const gw of gateways) await gw.stop();
});

// One kept-alive connection for every request, so requests still reach a gateway whose
// listener has closed for the drain.
function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', reject);
    request.setTimeout(3000, () => request.destroy(new Error('timeout')));
  });
}

// A WebSocket peer that never answers the close handshake keeps the drain going for the grace.
function holdDrainOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `GET /app/${TEST_APP.key}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.once('data', () => {
      socket.pause();
      resolve(socket);
    });
    socket.on('error', () => {});
  });
}

test('readiness turns 503 on SIGTERM while liveness stays 200', async () => {
  const gw = await startGateway({ config: { shutdown_grace_seconds: 3 } });
  gateways.push(gw);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal(await get(agent, gw.port, '/readyz'), 200);
  assert.equal(await get(agent, gw.port, '/up'), 200);
  assert.equal(await get(agent, gw.port, '/livez'), 200);
  const holder = await holdDrainOpen(gw.port);
  gw.proc.kill('SIGTERM');
  let status = 200;
  for (let i = 0; i < 40 && status === 200; ++i) {
    status = await get(agent, gw.port, '/readyz');
    if (status === 200) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.equal(status, 503);
  assert.equal(await get(agent, gw.port, '/up'), 503);
  assert.equal(await get(agent, gw.port, '/livez'), 200);
  holder.destroy();
  agent.destroy();
  const { code } = await gw.exited;
  assert.equal(code, 0);
});
