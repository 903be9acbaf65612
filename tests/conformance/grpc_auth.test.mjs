// realtime.v1 ControlPlane.AuthorizeChannel / AuthenticateUser / SendToUser /
// TerminateUserConnections through a grpc-js client, with pusher-js as the browser: pusher-js's
// channelAuthorization / userAuthentication customHandlers call the RPC instead of an auth
// endpoint (what a backend's /broadcasting/auth becomes), and the gateway must then accept those
// signatures. Every auth value is also compared with what the `pusher` SDK computes for the same
// socket, channel and user.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { sleep, waitFor } from './lib/wait.mjs';
import {
  collect,
  connectedClient,
  eventually,
  receivedFrames,
  serverSdk,
  subscribe,
  subscribeOutcome,
} from './lib/clients.mjs';
import { channelAuth, connect } from './lib/raw_ws.mjs';
import { closeEverythingAfterTests, controlPlane, expectCode, Status } from './lib/grpc.mjs';

const MASTER_KEY_B64 = randomBytes(32).toString('base64');
const ENC_APP = Object.freeze({
  id: 'grpc-enc',
  key: 'grpc-enc-key',
  secret: 'grpc-enc-secret',
  encryption_master_key_base64: MASTER_KEY_B64,
});

let gw;
let cp; // TEST_APP
let encCp; // ENC_APP
let sdk;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, ENC_APP] });
  cp = controlPlane(gw);
  encCp = controlPlane(gw, { app: ENC_APP });
  sdk = serverSdk(gw);
});

closeEverythingAfterTests(() => gw);

// pusher-js channelAuthorization.customHandler backed by AuthorizeChannel. `presence(channel)`
// gives {user_id, user_info_json} for presence channels. Empty response fields are left out, as
// a Pusher auth endpoint leaves them out. Every response is recorded in `calls`.
function grpcChannelAuthorizer(client, presence, calls = []) {
  const handler = ({ socketId, channelName }, callback) => {
    const request = { socket_id: socketId, channel: channelName };
    if (channelName.startsWith('presence-') && presence) Object.assign(request, presence(channelName));
    client.authorizeChannel(request).then(
      (response) => {
        calls.push({ request, response });
        const data = { auth: response.auth };
        if (response.channel_data) data.channel_data = response.channel_data;
        if (response.shared_secret) data.shared_secret = response.shared_secret;
        callback(null, data);
      },
      (error) => callback(error, null),
    );
  };
  handler.calls = calls;
  return handler;
}

// pusher-js userAuthentication.customHandler backed by AuthenticateUser.
function grpcUserAuthenticator(client, user, calls = []) {
  return ({ socketId }, callback) => {
    client.authenticateUser({ socket_id: socketId, ...user }).then(
      (response) => {
        calls.push({ socketId, response });
        callback(null, { auth: response.auth, user_data: response.user_data });
      },
      (error) => callback(error, null),
    );
  };
}

// A pusher-js client whose channel and user auth both go through the control plane.
function grpcClient({ app = TEST_APP, client = cp, presence, user = { user_id: 'anonymous' } } = {}) {
  const calls = [];
  const userCalls = [];
  return connectedClient(gw, {
    app,
    authorize: grpcChannelAuthorizer(client, presence, calls),
    options: { userAuthentication: { customHandler: grpcUserAuthenticator(client, user, userCalls) } },
  }).then((c) => Object.assign(c, { authCalls: calls, userCalls }));
}

function signIn(client) {
  return waitFor('pusher:signin_success', (resolve) => {
    client.bind('pusher:signin_success', resolve);
    client.signin();
  });
}

// Waits until pusher-js has its #server-to-user-<id> subscription confirmed.
function serverToUserReady(client, userId) {
  return eventually(`#server-to-user-${userId} subscription`, () =>
    receivedFrames(client, 'pusher_internal:subscription_succeeded', `#server-to-user-${userId}`).length === 1,
  );
}

describe('AuthorizeChannel', () => {
  test('private-: pusher-js subscribes with the returned auth; it equals the pusher SDK signature', async () => {
    const client = await grpcClient();
    const ch = 'private-grpc-auth';
    const channel = await subscribe(client, ch);
    const [{ response }] = client.authCalls;
    const socketId = client.connection.socket_id;
    assert.equal(response.auth, sdk.authorizeChannel(socketId, ch).auth);
    assert.equal(response.auth, channelAuth(socketId, ch));
    assert.equal(response.channel_data, '');
    assert.equal(response.shared_secret, '');

    const got = collect(channel, 'secret-news');
    await cp.publish({ channels: [ch], name: 'secret-news', data: '{"ok":true}' });
    await eventually('secret-news', () => got.length === 1);
    assert.deepEqual(got[0].data, { ok: true });
  });

  test('presence-: channel_data and auth equal the SDK; pusher-js members carry the user_info', async () => {
    const ch = 'presence-grpc-auth';
    const alice = await grpcClient({
      presence: () => ({ user_id: 'alice', user_info_json: '{"name":"Alice","tags":["a","b"]}' }),
    });
    const aliceCh = await subscribe(alice, ch);
    const [{ response }] = alice.authCalls;
    const expected = sdk.authorizeChannel(alice.connection.socket_id, ch, {
      user_id: 'alice',
      user_info: { name: 'Alice', tags: ['a', 'b'] },
    });
    assert.deepEqual(JSON.parse(response.channel_data), {
      user_id: 'alice',
      user_info: { name: 'Alice', tags: ['a', 'b'] },
    });
    // Whatever string was returned, the auth signs exactly it.
    assert.equal(response.auth, channelAuth(alice.connection.socket_id, ch, response.channel_data));
    assert.deepEqual(
      { auth: response.auth, channel_data: response.channel_data },
      expected,
      'AuthorizeChannel differs from the pusher SDK for the same member',
    );
    assert.deepEqual(aliceCh.members.me, { id: 'alice', info: { name: 'Alice', tags: ['a', 'b'] } });

    const bob = await grpcClient({ presence: () => ({ user_id: 'bob', user_info_json: '{"name":"Bob"}' }) });
    const bobCh = await subscribe(bob, ch);
    assert.equal(bobCh.members.count, 2);
    assert.deepEqual(bobCh.members.get('alice'), { id: 'alice', info: { name: 'Alice', tags: ['a', 'b'] } });
    assert.deepEqual(bobCh.members.me, { id: 'bob', info: { name: 'Bob' } });
  });

  test('private-encrypted-: shared_secret and auth equal the SDK; pusher-js decrypts what the SDK encrypted', async () => {
    const encSdk = serverSdk(gw, ENC_APP, { encryptionMasterKeyBase64: MASTER_KEY_B64 });
    const client = await grpcClient({ app: ENC_APP, client: encCp });
    const ch = 'private-encrypted-grpc-vault';
    const channel = await subscribe(client, ch);
    const [{ response }] = client.authCalls;
    const expected = encSdk.authorizeChannel(client.connection.socket_id, ch);
    assert.equal(response.auth, expected.auth);
    assert.equal(response.shared_secret, expected.shared_secret);
    assert.equal(Buffer.from(response.shared_secret, 'base64').length, 32);

    const got = collect(channel, 'vault-event');
    const payload = { card: '4242', amount: 12.5, note: '\u00e4\u00df' };
    await encSdk.trigger(ch, 'vault-event', payload);
    await eventually('decrypted vault-event', () => got.length === 1);
    assert.deepEqual(got[0].data, payload);
    const [frame] = receivedFrames(client, 'vault-event', ch);
    assert.ok(!JSON.stringify(frame).includes('4242'), 'plaintext on the wire');
  });

  test('presence- without user_id -> INVALID_ARGUMENT naming user_id', async () => {
    const client = await connectedClient(gw);
    const details = await expectCode(
      cp.authorizeChannel({ socket_id: client.connection.socket_id, channel: 'presence-no-user' }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(details, /\buser_id\b/, details);
  });

  test('a public channel -> INVALID_ARGUMENT naming channel', async () => {
    const details = await expectCode(
      cp.authorizeChannel({ socket_id: '123.456', channel: 'public-chat' }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(details, /\bchannel\b/, details);
  });

  test('an invalid channel name or socket_id -> INVALID_ARGUMENT naming the field', async () => {
    const badChannel = await expectCode(
      cp.authorizeChannel({ socket_id: '123.456', channel: 'private-bad name' }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(badChannel, /\bchannel\b/, badChannel);
    const badSocket = await expectCode(
      cp.authorizeChannel({ socket_id: 'abc', channel: 'private-fine' }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(badSocket, /\bsocket_id\b/, badSocket);
  });

  test('private-encrypted- on an app without encryption_master_key_base64 -> FAILED_PRECONDITION', async () => {
    await expectCode(
      cp.authorizeChannel({ socket_id: '123.456', channel: 'private-encrypted-nokey' }),
      Status.FAILED_PRECONDITION,
    );
  });

  test('wrong token -> UNAUTHENTICATED; no token -> UNAUTHENTICATED', async () => {
    const request = { socket_id: '123.456', channel: 'private-x' };
    await expectCode(cp.authorizeChannel(request, { token: '0'.repeat(64) }), Status.UNAUTHENTICATED);
    await expectCode(cp.authorizeChannel(request, { token: null }), Status.UNAUTHENTICATED);
  });
});

describe('AuthenticateUser', () => {
  test('auth and user_data equal the pusher SDK for the same socket and user', async () => {
    const client = await connectedClient(gw);
    const socketId = client.connection.socket_id;

    const full = await cp.authenticateUser({
      socket_id: socketId,
      user_id: 'alice',
      user_info_json: '{"name":"Alice"}',
    });
    assert.deepEqual(
      { auth: full.auth, user_data: full.user_data },
      sdk.authenticateUser(socketId, { id: 'alice', user_info: { name: 'Alice' } }),
    );

    const idOnly = await cp.authenticateUser({ socket_id: socketId, user_id: 'bob' });
    assert.deepEqual(
      { auth: idOnly.auth, user_data: idOnly.user_data },
      sdk.authenticateUser(socketId, { id: 'bob' }),
    );

    const watching = await cp.authenticateUser({
      socket_id: socketId,
      user_id: 'carol',
      user_info_json: '{"n":1}',
      watchlist: ['alice', 'bob'],
    });
    assert.deepEqual(JSON.parse(watching.user_data), { id: 'carol', user_info: { n: 1 }, watchlist: ['alice', 'bob'] });
    // The auth signs exactly the returned user_data ("socket_id::user::user_data").
    const expectedSig = createHmac('sha256', TEST_APP.secret)
      .update(`${socketId}::user::${watching.user_data}`)
      .digest('hex');
    assert.equal(watching.auth, `${TEST_APP.key}:${expectedSig}`);
  });

  test('pusher-js signs in with it (pusher:signin_success carries the same user_data)', async () => {
    const client = await grpcClient({ user: { user_id: 'signer', user_info_json: '{"name":"Signer"}' } });
    await signIn(client);
    assert.equal(client.user.user_data?.id, 'signer');
    assert.deepEqual(client.user.user_data.user_info, { name: 'Signer' });
    const [frame] = receivedFrames(client, 'pusher:signin_success');
    assert.ok(frame, 'no pusher:signin_success frame');
    assert.equal(frame.data.user_data, client.userCalls[0].response.user_data);
    assert.equal(client.errors.length, 0, JSON.stringify(client.errors));
  });

  test('missing user_id -> INVALID_ARGUMENT naming user_id; bad socket_id -> INVALID_ARGUMENT', async () => {
    const noUser = await expectCode(cp.authenticateUser({ socket_id: '1.2' }), Status.INVALID_ARGUMENT);
    assert.match(noUser, /\buser_id\b/, noUser);
    const badSocket = await expectCode(
      cp.authenticateUser({ socket_id: 'x.y', user_id: 'u' }),
      Status.INVALID_ARGUMENT,
    );
    assert.match(badSocket, /\bsocket_id\b/, badSocket);
  });
});

describe('SendToUser and TerminateUserConnections', () => {
  // Three pusher-js connections signed in through AuthenticateUser: alice twice, bob once.
  async function signedInTabs(suffix) {
    const aliceId = `alice-${suffix}`;
    const bobId = `bob-${suffix}`;
    const tabs = await Promise.all([
      grpcClient({ user: { user_id: aliceId } }),
      grpcClient({ user: { user_id: aliceId } }),
      grpcClient({ user: { user_id: bobId } }),
    ]);
    await Promise.all(tabs.map(signIn));
    await Promise.all([
      serverToUserReady(tabs[0], aliceId),
      serverToUserReady(tabs[1], aliceId),
      serverToUserReady(tabs[2], bobId),
    ]);
    return { aliceId, bobId, aliceA: tabs[0], aliceB: tabs[1], bob: tabs[2] };
  }

  test('SendToUser reaches both tabs of the user and not another signed-in user', async () => {
    const { aliceId, aliceA, aliceB, bob } = await signedInTabs('send');
    const got = [aliceA, aliceB, bob].map((c) => {
      const events = [];
      c.user.bind('notice', (data) => events.push(data));
      return events;
    });
    const response = await cp.sendToUser({ user_id: aliceId, name: 'notice', data: '{"hi":"alice"}' });
    assert.deepEqual(response, {});
    await eventually('notice on both alice tabs', () => got[0].length === 1 && got[1].length === 1);
    await sleep(300);
    assert.deepEqual(got[0], [{ hi: 'alice' }]);
    assert.deepEqual(got[1], [{ hi: 'alice' }]);
    assert.equal(got[2].length, 0, "bob's user facade got alice's event");
    assert.equal(receivedFrames(bob, 'notice').length, 0, "alice's event reached bob's socket");
    const [frame] = receivedFrames(aliceA, 'notice');
    assert.equal(frame.channel, `#server-to-user-${aliceId}`);
  });

  test('SendToUser validation: missing user_id or event name -> INVALID_ARGUMENT; wrong token -> UNAUTHENTICATED', async () => {
    const noUser = await expectCode(cp.sendToUser({ name: 'n', data: '{}' }), Status.INVALID_ARGUMENT);
    assert.match(noUser, /\buser_id\b/, noUser);
    const noName = await expectCode(cp.sendToUser({ user_id: 'u', data: '{}' }), Status.INVALID_ARGUMENT);
    assert.match(noName, /\bname\b/, noName);
    await expectCode(
      cp.sendToUser({ user_id: 'u', name: 'n', data: '{}' }, { token: 'nope' }),
      Status.UNAUTHENTICATED,
    );
  });

  test("TerminateUserConnections closes every connection of the user with 4009, not another user's", async () => {
    const { aliceId, aliceA, aliceB, bob } = await signedInTabs('term');
    // A raw socket signed in as the same user, to read the close code on the wire.
    const raw = await connect(gw.wsUrl());
    const signin = await cp.authenticateUser({ socket_id: raw.socketId, user_id: aliceId });
    raw.send({ event: 'pusher:signin', data: { auth: signin.auth, user_data: signin.user_data } });
    await raw.waitEvent('pusher:signin_success');
    // A raw socket that did not sign in stays.
    const anonymous = await connect(gw.wsUrl());

    const response = await cp.terminateUserConnections({ user_id: aliceId });
    assert.deepEqual(response, {});
    const close = await raw.waitClose();
    assert.equal(close.code, 4009, `close ${JSON.stringify(close)}`);
    await eventually('both alice tabs leave "connected"', () =>
      aliceA.connection.state !== 'connected' && aliceB.connection.state !== 'connected',
    );
    await sleep(500);
    assert.equal(bob.connection.state, 'connected', 'bob was disconnected too');
    assert.equal(anonymous.isOpen, true, 'a connection that never signed in was closed');
    // bob is still reachable.
    const bobGot = [];
    bob.user.bind('still-here', (d) => bobGot.push(d));
    await cp.sendToUser({ user_id: `bob-term`, name: 'still-here', data: '1' });
    await eventually('still-here on bob', () => bobGot.length === 1);
  });

  test('TerminateUserConnections for a user with no connections answers OK', async () => {
    assert.deepEqual(await cp.terminateUserConnections({ user_id: 'nobody-here' }), {});
  });
});
