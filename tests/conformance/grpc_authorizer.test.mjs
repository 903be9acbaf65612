// realtime.v1.ChannelAuthorizer: the gateway as a gRPC CLIENT of a backend. This file runs a real
// grpc-js server implementing ChannelAuthorizer/Authorize on 127.0.0.1:<free port>, points an app's
// `authorizer` config at it, and checks (authorizer.proto):
// - a subscription with an EMPTY auth to a private-/presence- channel is decided by one Authorize
//   call that carries app_id, socket_id, channel and the connection context (remote address and
//   only the configured headers, cookies and query parameters; signed_in_user_id after signin);
// - allow -> pusher_internal:subscription_succeeded; deny -> pusher:subscription_error 401 carrying
//   deny_reason; a timeout, an error status or an unreachable backend -> refused (503);
// - presence members take user_id / user_info from the backend's answer;
// - a signed (non-empty) auth is still verified by signature, without calling the backend.
//
// How a browser subscribes through the authorizer: pusher-js always asks its channel authorizer
// for an auth value before it sends pusher:subscribe, so the page gives it a customHandler that
// answers `{ auth: '' }` (no auth endpoint at all); the gateway then asks the backend. pusher-js
// cannot add query parameters to its WebSocket URL or set headers, so forwarding of `token` (query),
// `x-user` (header) and `session` (cookie) is checked with a raw `ws` client.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP, unusedPort } from './lib/gateway.mjs';
import { sleep } from './lib/wait.mjs';
import { connectedClient, disconnectAll, serverSdk, subscribeOutcome } from './lib/clients.mjs';
import { channelAuth, closeAllClients, connect } from './lib/raw_ws.mjs';
import { closeAllGrpc, controlPlane, grpc, realtime } from './lib/grpc.mjs';

const TIMEOUT_MS = 500;

let backend; // grpc.Server
let backendPort;
let calls = []; // every AuthorizeRequest the backend received, with its metadata
let decide = () => ({ allow: true }); // the current behaviour: (request) => response | 'hang' | Error
const hanging = new Set(); // callbacks of calls left unanswered

let gw;
let AUTHZ_APP;
let DEAD_APP;

function startBackend() {
  const server = new grpc.Server();
  server.addService(realtime.ChannelAuthorizer.service, {
    Authorize(call, callback) {
      calls.push({ request: call.request, metadata: call.metadata.getMap() });
      let answer;
      try {
        answer = decide(call.request);
      } catch (error) {
        answer = error;
      }
      if (answer === 'hang') {
        hanging.add(callback);
        return;
      }
      if (answer instanceof Error) {
        callback({ code: answer.code ?? grpc.status.INTERNAL, details: answer.message });
        return;
      }
      callback(null, answer);
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(error);
      else resolve({ server, port });
    });
  });
}

before(async () => {
  ({ server: backend, port: backendPort } = await startBackend());
  const deadPort = await unusedPort();
  AUTHZ_APP = Object.freeze({
    id: 'authz-app',
    key: 'authz-key',
    secret: 'authz-secret',
    enable_client_messages: true,
    authorizer: {
      target: `127.0.0.1:${backendPort}`,
      timeout_ms: TIMEOUT_MS,
      forward_headers: ['x-user'],
      forward_cookies: ['session'],
      forward_query: ['token'],
    },
  });
  DEAD_APP = Object.freeze({
    id: 'authz-dead',
    key: 'authz-dead-key',
    secret: 'authz-dead-secret',
    authorizer: { target: `127.0.0.1:${deadPort}`, timeout_ms: TIMEOUT_MS },
  });
  gw = await startGateway({ apps: [TEST_APP, AUTHZ_APP, DEAD_APP] });
});

beforeEach(() => {
  calls = [];
  decide = () => ({ allow: true });
});

afterEach(() => {
  disconnectAll();
  closeAllClients();
  for (const callback of hanging) {
    try {
      callback({ code: grpc.status.CANCELLED, details: 'test over' });
    } catch {
      // the gateway already gave up on it
    }
  }
  hanging.clear();
});

after(async () => {
  disconnectAll();
  closeAllClients();
  closeAllGrpc();
  await gw?.stop();
  backend?.forceShutdown();
});

// The channelAuthorization a page uses when the backend authorizer decides: no signature at all.
const emptyAuth = (_params, callback) => callback(null, { auth: '' });

// A raw socket for `app` with the given extra query string and upgrade headers.
function rawClient(app, { query = '', headers = {} } = {}) {
  const base = 'protocol=7&client=js&version=8.6.0&flash=false';
  return connect(gw.wsUrl(app.key, query ? `${base}&${query}` : base), { headers });
}

// Sends pusher:subscribe with an empty auth and resolves with the first answer for the channel
// (subscription_succeeded or subscription_error), plus how long it took.
async function rawSubscribeOutcome(client, channel, extra = {}, timeout = 5000) {
  const started = Date.now();
  client.send({ event: 'pusher:subscribe', data: { channel, auth: '', ...extra } });
  const frame = await client.waitMatch(
    (m) =>
      m.channel === channel &&
      (m.event === 'pusher_internal:subscription_succeeded' || m.event === 'pusher:subscription_error'),
    `subscription outcome for ${channel}`,
    timeout,
  );
  return { frame, ok: frame.event === 'pusher_internal:subscription_succeeded', ms: Date.now() - started };
}

describe('allow and deny', () => {
  test('pusher-js with an empty auth subscribes to a private channel the backend allows', async () => {
    decide = ({ channel }) => ({ allow: channel === 'private-allowed' });
    const client = await connectedClient(gw, { app: AUTHZ_APP, authorize: emptyAuth });
    const outcome = await subscribeOutcome(client, 'private-allowed');
    assert.equal(outcome.ok, true, `refused: ${JSON.stringify(outcome.error)}`);
    assert.equal(calls.length, 1, `backend calls: ${calls.length}`);
    const { request } = calls[0];
    assert.equal(request.app_id, AUTHZ_APP.id);
    assert.equal(request.socket_id, client.connection.socket_id);
    assert.equal(request.channel, 'private-allowed');
    assert.match(request.connection?.remote_address ?? '', /^127\.0\.0\.1:\d+$/);

    // The subscription is real: an event published to it arrives.
    const got = [];
    outcome.channel.bind('granted', (d) => got.push(d));
    await serverSdk(gw, AUTHZ_APP).trigger('private-allowed', 'granted', { ok: 1 });
    const deadline = Date.now() + 5000;
    while (got.length === 0 && Date.now() < deadline) await sleep(10);
    assert.deepEqual(got, [{ ok: 1 }]);
  });

  test('pusher-js: a deny becomes pusher:subscription_error with status 401 carrying deny_reason', async () => {
    decide = () => ({ allow: false, deny_reason: 'not your project (#42)' });
    const client = await connectedClient(gw, { app: AUTHZ_APP, authorize: emptyAuth });
    const outcome = await subscribeOutcome(client, 'private-denied');
    assert.equal(outcome.ok, false, 'a denied subscription succeeded');
    assert.equal(outcome.error.status, 401, JSON.stringify(outcome.error));
    assert.match(String(outcome.error.error), /not your project \(#42\)/, JSON.stringify(outcome.error));
    assert.equal(calls.length, 1);
    assert.equal(client.connection.state, 'connected', 'a deny must not close the connection');
  });

  test('the backend sees only the configured query parameter, header and cookie', async () => {
    const client = await rawClient(AUTHZ_APP, {
      query: 'token=abc&other=zzz',
      headers: { 'X-User': 'user-7', 'x-secret': 'do-not-forward', cookie: 'session=s-1; tracking=t-9' },
    });
    const outcome = await rawSubscribeOutcome(client, 'private-allowed');
    assert.equal(outcome.ok, true, outcome.frame.raw);
    assert.equal(calls.length, 1);
    const { request } = calls[0];
    assert.equal(request.app_id, AUTHZ_APP.id);
    assert.equal(request.socket_id, client.socketId);
    assert.equal(request.channel, 'private-allowed');
    assert.deepEqual(request.connection.query, { token: 'abc' });
    assert.deepEqual(request.connection.headers, { 'x-user': 'user-7' });
    assert.deepEqual(request.connection.cookies, { session: 's-1' });
    assert.match(request.connection.remote_address, /^127\.0\.0\.1:\d+$/);
    assert.equal(request.connection.signed_in_user_id, '');
  });

  test('raw socket: deny -> subscription_error {status 401, error with the reason}; the connection stays usable', async () => {
    decide = ({ channel }) =>
      channel === 'private-denied' ? { allow: false, deny_reason: 'members only' } : { allow: true };
    const client = await rawClient(AUTHZ_APP, { query: 'token=abc' });
    const denied = await rawSubscribeOutcome(client, 'private-denied');
    assert.equal(denied.ok, false);
    assert.equal(denied.frame.data?.status, 401, denied.frame.raw);
    assert.match(String(denied.frame.data?.error), /members only/, denied.frame.raw);
    const allowed = await rawSubscribeOutcome(client, 'private-allowed');
    assert.equal(allowed.ok, true, allowed.frame.raw);
    assert.equal(client.isOpen, true);
  });

  test('signed_in_user_id is the user the connection signed in as', async () => {
    const client = await rawClient(AUTHZ_APP);
    const signin = serverSdk(gw, AUTHZ_APP).authenticateUser(client.socketId, { id: 'signed-42' });
    client.send({ event: 'pusher:signin', data: signin });
    await client.waitEvent('pusher:signin_success');
    const outcome = await rawSubscribeOutcome(client, 'private-who');
    assert.equal(outcome.ok, true, outcome.frame.raw);
    const call = calls.find((c) => c.request.channel === 'private-who');
    assert.ok(call, `no Authorize call for private-who: ${JSON.stringify(calls.map((c) => c.request.channel))}`);
    assert.equal(call.request.connection.signed_in_user_id, 'signed-42');
  });

  test('a signed auth is still checked by signature, without calling the backend', async () => {
    decide = () => ({ allow: false, deny_reason: 'backend must not be asked' });
    const client = await rawClient(AUTHZ_APP);
    client.send({
      event: 'pusher:subscribe',
      data: { channel: 'private-signed', auth: channelAuth(client.socketId, 'private-signed', undefined, AUTHZ_APP) },
    });
    await client.waitEvent('pusher_internal:subscription_succeeded', { channel: 'private-signed' });
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-forged', auth: `${AUTHZ_APP.key}:${'0'.repeat(64)}` } });
    const forged = await client.waitEvent('pusher:subscription_error', { channel: 'private-forged' });
    assert.equal(forged.data.status, 401);
    assert.equal(calls.length, 0, `backend was called for a signed subscribe: ${JSON.stringify(calls.map((c) => c.request.channel))}`);
  });

  test('an app without an authorizer refuses an empty auth without any backend call', async () => {
    const client = await rawClient(TEST_APP);
    const outcome = await rawSubscribeOutcome(client, 'private-no-authorizer');
    assert.equal(outcome.ok, false, outcome.frame.raw);
    assert.equal(outcome.frame.data?.status, 401, outcome.frame.raw);
    assert.equal(calls.length, 0);
  });

  test('public channels never consult the backend', async () => {
    const client = await rawClient(AUTHZ_APP);
    await client.subscribe('public-room');
    assert.equal(calls.length, 0);
  });
});

describe('presence through the authorizer', () => {
  test('the member takes user_id / user_info from the answer and appears in ListPresenceMembers', async () => {
    decide = () => ({ allow: true, user_id: 'u-42', user_info_json: '{"name":"Zed","role":"admin"}' });
    const client = await rawClient(AUTHZ_APP);
    const outcome = await rawSubscribeOutcome(client, 'presence-authz-room');
    assert.equal(outcome.ok, true, outcome.frame.raw);
    assert.deepEqual(outcome.frame.data?.presence?.ids, ['u-42'], outcome.frame.raw);
    assert.deepEqual(outcome.frame.data.presence.hash, { 'u-42': { name: 'Zed', role: 'admin' } });
    assert.equal(calls[0].request.channel, 'presence-authz-room');

    const cp = controlPlane(gw, { app: AUTHZ_APP });
    const members = await cp.listPresenceMembers({ channel: 'presence-authz-room' });
    assert.deepEqual(members.members.map((m) => m.user_id), ['u-42']);
    assert.deepEqual(JSON.parse(members.members[0].user_info_json), { name: 'Zed', role: 'admin' });

    // A second member (empty user_info_json = null) is announced to the first.
    decide = () => ({ allow: true, user_id: 'u-7' });
    const second = await rawClient(AUTHZ_APP);
    const joined = await rawSubscribeOutcome(second, 'presence-authz-room');
    assert.equal(joined.ok, true, joined.frame.raw);
    assert.equal(joined.frame.data.presence.count, 2);
    const added = await client.waitEvent('pusher_internal:member_added', { channel: 'presence-authz-room' });
    assert.equal(added.data.user_id, 'u-7');
    assert.equal(added.data.user_info ?? null, null);
    const both = await cp.listPresenceMembers({ channel: 'presence-authz-room' });
    assert.deepEqual(both.members.map((m) => [m.user_id, m.user_info_json]), [
      ['u-42', '{"name":"Zed","role":"admin"}'],
      ['u-7', 'null'],
    ]);
  });

  test('allowing a presence channel without a user_id refuses the subscription', async () => {
    decide = () => ({ allow: true });
    const client = await rawClient(AUTHZ_APP);
    const outcome = await rawSubscribeOutcome(client, 'presence-authz-nouser');
    assert.equal(outcome.ok, false, outcome.frame.raw);
    const cp = controlPlane(gw, { app: AUTHZ_APP });
    assert.deepEqual((await cp.listPresenceMembers({ channel: 'presence-authz-nouser' })).members, []);
  });
});

describe('failing closed', () => {
  test('a backend that never answers: refused with 503 once timeout_ms has passed', async () => {
    decide = () => 'hang';
    const client = await rawClient(AUTHZ_APP);
    const outcome = await rawSubscribeOutcome(client, 'private-slow', {}, 5000);
    assert.equal(outcome.ok, false, outcome.frame.raw);
    assert.equal(outcome.frame.data?.status, 503, outcome.frame.raw);
    assert.ok(outcome.ms >= TIMEOUT_MS - 50, `refused after ${outcome.ms} ms, before timeout_ms ${TIMEOUT_MS}`);
    assert.ok(outcome.ms < TIMEOUT_MS + 2500, `refused only after ${outcome.ms} ms`);
    assert.equal(calls.length, 1);
    assert.equal(client.isOpen, true);
  });

  test('pusher-js: a backend that never answers gives subscription_error 503', async () => {
    decide = () => 'hang';
    const client = await connectedClient(gw, { app: AUTHZ_APP, authorize: emptyAuth });
    const outcome = await subscribeOutcome(client, 'private-slow-js');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error.status, 503, JSON.stringify(outcome.error));
  });

  test('a backend answering with an error status: refused with 503', async () => {
    decide = () => Object.assign(new Error('database down'), { code: grpc.status.INTERNAL });
    const client = await rawClient(AUTHZ_APP);
    const outcome = await rawSubscribeOutcome(client, 'private-broken');
    assert.equal(outcome.ok, false, outcome.frame.raw);
    assert.equal(outcome.frame.data?.status, 503, outcome.frame.raw);
  });

  test('SIGTERM while a call waits on the backend: the call is cancelled and the gateway exits cleanly', async () => {
    // A gateway of its own whose authorizer would wait 60 s: exiting must not wait for that, and
    // the call's late end must not touch what the exit destroyed (the sanitizer builds check).
    decide = () => 'hang';
    const slowApp = { ...AUTHZ_APP, authorizer: { ...AUTHZ_APP.authorizer, timeout_ms: 60000 } };
    const own = await startGateway({ apps: [slowApp], config: { shutdown_grace_seconds: 1 } });
    try {
      const client = await connect(own.wsUrl(slowApp.key));
      client.send({ event: 'pusher:subscribe', data: { channel: 'private-at-exit', auth: '' } });
      for (const until = Date.now() + 10000; calls.length === 0 && Date.now() < until;) await sleep(20);
      assert.equal(calls.length, 1, 'the backend was asked');
      const signalled = Date.now();
      const exit = await own.stop(30000);
      const took = Date.now() - signalled;
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(took < 20000, `exited ${took} ms after SIGTERM`);
    } finally {
      await own.stop();
    }
  });

  test('a backend that is down (nothing listening on the target): refused with 503', async () => {
    const client = await rawClient(DEAD_APP);
    const outcome = await rawSubscribeOutcome(client, 'private-nobody-home', {}, 5000);
    assert.equal(outcome.ok, false, outcome.frame.raw);
    assert.equal(outcome.frame.data?.status, 503, outcome.frame.raw);
    assert.equal(client.isOpen, true);
    // Still refused on a second try (no cached allow), and presence too.
    const again = await rawSubscribeOutcome(client, 'presence-nobody-home', {}, 5000);
    assert.equal(again.ok, false, again.frame.raw);
  });
});
