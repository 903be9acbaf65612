// Pusher's "authorized connections": with enable_user_authentication, a connection that neither
// signs in nor subscribes to a private / presence channel within the timeout is closed with 4009.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { connect, closeAllClients } from './lib/raw_ws.mjs';
import { connectedClient, subscribe, disconnectAll } from './lib/clients.mjs';
import { sleep } from './lib/wait.mjs';

let gw;
const STRICT = { ...TEST_APP, enable_user_authentication: true, user_authentication_timeout: 1 };
const RELAXED = { ...TEST_APP, id: 'relaxed', key: 'relaxed-key' };
before(async () => {
  gw = await startGateway({ apps: [STRICT, RELAXED] });
});
after(async () => {
  disconnectAll();
  closeAllClients();
  await gw.stop();
});

test('a connection that never authorizes is closed with 4009 after the timeout', async () => {
  // Before connecting: the server's clock starts at admission, which is later.
  const started = Date.now();
  const raw = await connect(gw.wsUrl(STRICT.key));
  const error = await raw.waitEvent('pusher:error', { timeout: 5000 });
  assert.equal(error.data.code, 4009);
  assert.match(error.data.message, /not authorized within timeout/i);
  const { code } = await raw.waitClose(5000);
  assert.equal(code, 4009);
  // Measured from before connecting, so never less than the server's 1 s (Date.now() rounds).
  assert.ok(Date.now() - started >= 990, 'closed before the timeout');
});

test('a public subscription does not authorize a connection', async () => {
  const raw = await connect(gw.wsUrl(STRICT.key));
  await raw.subscribe('public-news');
  const { code } = await raw.waitClose(5000);
  assert.equal(code, 4009);
});

test('signing in or joining a private channel in time keeps the connection', async () => {
  const signedIn = await connectedClient(gw, { app: STRICT, user: { id: 'u1' } });
  signedIn.signin();
  const privateMember = await connectedClient(gw, { app: STRICT });
  await subscribe(privateMember, 'private-room');
  await sleep(2500);
  assert.equal(signedIn.connection.state, 'connected');
  assert.equal(privateMember.connection.state, 'connected');
});

test('apps without the setting never close idle unauthorized connections', async () => {
  const client = await connectedClient(gw, { app: RELAXED });
  await sleep(2000);
  assert.equal(client.connection.state, 'connected');
});
