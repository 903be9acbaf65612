// Readiness during a drain: on SIGTERM /readyz (and /up) turn 503 on connections that are still
// open, while /livez stays 200, so load balancers stop sending new clients before the process goes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { holdDrainOpen } from './lib/raw_ws.mjs';

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


test('readiness turns 503 on SIGTERM while liveness stays 200', async () => {
  // A long grace: the holder keeps the drain open while the checks below run, however slow.
  const gw = await startGateway({ config: { shutdown_grace_seconds: 10 } });
  gateways.push(gw);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal(await get(agent, gw.port, '/readyz'), 200);
  assert.equal(await get(agent, gw.port, '/up'), 200);
  assert.equal(await get(agent, gw.port, '/livez'), 200);
  const holder = await holdDrainOpen(gw.port);
  gw.proc.kill('SIGTERM');
  let status = 200;
  for (const until = Date.now() + 10000; Date.now() < until && status === 200;) {
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
