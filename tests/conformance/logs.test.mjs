// Structured logs: every stdout line is one JSON object; at debug level connections are logged
// with their socket id, app and close reason, so a log line can be matched to a client.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { connect, closeAllClients } from './lib/raw_ws.mjs';
import { sleep } from './lib/wait.mjs';

let gw;
after(async () => {
  closeAllClients();
  await gw?.stop();
});

test('connection lines carry socket_id, app and reason; every line is JSON', async () => {
  gw = await startGateway({ args: ['--log-level', 'debug'] });
  const client = await connect(gw.wsUrl());
  const socketId = client.socketId;
  client.ws.close(1000);
  await client.closed;
  const lines = () => gw.logLines.map((line) => JSON.parse(line));
  const deadline = Date.now() + 5000;
  while (!lines().some((l) => l.msg === 'connection closed') && Date.now() < deadline) {
    await sleep(25);
  }
  const parsed = lines();
  for (const line of parsed) {
    assert.equal(typeof line.ts, 'string');
    assert.ok(['debug', 'info', 'warn', 'error'].includes(line.level), JSON.stringify(line));
    assert.equal(typeof line.msg, 'string');
  }
  const opened = parsed.find((l) => l.msg === 'connection opened' && l.socket_id === socketId);
  assert.ok(opened, 'no "connection opened" line for the socket');
  assert.equal(opened.app, TEST_APP.id);
  const closed = parsed.find((l) => l.msg === 'connection closed' && l.socket_id === socketId);
  assert.ok(closed, 'no "connection closed" line for the socket');
  assert.equal(closed.reason, 'client');
});
