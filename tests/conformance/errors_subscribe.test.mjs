// Subscription errors over a raw socket: invalid channel names and bad channel authorization are
// answered with pusher:subscription_error for that channel plus a pusher:error, and the
// connection stays usable. Unsubscribe stops delivery (checked through an HTTP API trigger).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { channelAuth, closeAllClients, connect } from './lib/raw_ws.mjs';
import { trigger } from './lib/http_api.mjs';
import { sleep } from './lib/wait.mjs';

let gw;
let client; // one connection goes through every error in turn
let seq = 0;
const fresh = (prefix = 'pub') => `${prefix}-${process.pid}-${++seq}`;

before(async () => {
  gw = await startGateway();
  client = await connect(gw.wsUrl());
});
after(async () => {
  closeAllClients();
  await gw?.stop();
});

// Sends a subscribe and expects a subscription_error (type, status) for exactly that channel plus
// a pusher:error with `errorCode`; then proves the connection still works with a public subscribe.
async function expectSubscribeError(data, { type, status, errorCode }) {
  client.send({ event: 'pusher:subscribe', data });
  const [subError, pusherError] = await Promise.all([
    client.waitEvent('pusher:subscription_error', { channel: data.channel }),
    client.waitEvent('pusher:error'),
  ]);
  assert.equal(subError.channel, data.channel, subError.raw);
  assert.equal(typeof subError.data, 'object', `subscription_error data: ${subError.raw}`);
  assert.equal(subError.data.type, type, subError.raw);
  assert.equal(subError.data.status, status, subError.raw);
  assert.equal(typeof pusherError.json.data, 'object', pusherError.raw);
  assert.equal(pusherError.json.data.code, errorCode, `pusher:error code: ${pusherError.raw}`);
  assert.equal(typeof pusherError.json.data.message, 'string', pusherError.raw);
  assert.equal(
    client.pending('pusher_internal:subscription_succeeded', data.channel).length,
    0,
    'a refused channel must not also succeed',
  );
  await stillWorks();
}

async function stillWorks() {
  assert.equal(client.isOpen, true, `connection closed: ${JSON.stringify(client.closeInfo)}`);
  await client.subscribe(fresh());
}

describe('invalid channel names -> InvalidChannel 400 + pusher:error code null', () => {
  it('"foo bar" (space)', async () => {
    await expectSubscribeError({ channel: 'foo bar' }, { type: 'InvalidChannel', status: 400, errorCode: null });
  });

  it('165 characters', async () => {
    await expectSubscribeError(
      { channel: 'a'.repeat(165) },
      { type: 'InvalidChannel', status: 400, errorCode: null },
    );
  });

  it('empty name', async () => {
    await expectSubscribeError({ channel: '' }, { type: 'InvalidChannel', status: 400, errorCode: null });
  });

  it('other characters outside [A-Za-z0-9_\\-=@,.;] ("a/b", "a*", "ü")', async () => {
    for (const channel of ['a/b', 'a*', 'caf\u00fc']) {
      await expectSubscribeError({ channel }, { type: 'InvalidChannel', status: 400, errorCode: null });
    }
  });

  it('164 characters and every allowed character class subscribe fine', async () => {
    await client.subscribe('b'.repeat(164));
    await client.subscribe('Az09_-=@,.;');
  });
});

describe('private / presence authorization -> AuthError 401 + pusher:error 4009', () => {
  const sig = (payload, secret = TEST_APP.secret) =>
    createHmac('sha256', secret).update(payload).digest('hex');

  it('valid private auth succeeds (control)', async () => {
    const channel = fresh('private');
    await client.subscribe(channel, { auth: channelAuth(client.socketId, channel) });
  });

  it('private channel without auth', async () => {
    await expectSubscribeError(
      { channel: fresh('private') },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('auth without a colon ("nocolon")', async () => {
    await expectSubscribeError(
      { channel: fresh('private'), auth: 'nocolon' },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('auth with the wrong key and a valid signature', async () => {
    const channel = fresh('private');
    await expectSubscribeError(
      { channel, auth: `wrong-key:${sig(`${client.socketId}:${channel}`)}` },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('right key, well-formed but wrong signature (other secret)', async () => {
    const channel = fresh('private');
    await expectSubscribeError(
      { channel, auth: `${TEST_APP.key}:${sig(`${client.socketId}:${channel}`, 'not-the-secret')}` },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('signature for another channel', async () => {
    const channel = fresh('private');
    await expectSubscribeError(
      { channel, auth: channelAuth(client.socketId, `${channel}-other`) },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('signature for another socket id', async () => {
    const channel = fresh('private');
    await expectSubscribeError(
      { channel, auth: channelAuth('1234.5678', channel) },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('private-encrypted channel without auth', async () => {
    await expectSubscribeError(
      { channel: fresh('private-encrypted') },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('valid presence auth succeeds (control)', async () => {
    const channel = fresh('presence');
    const channelData = JSON.stringify({ user_id: 'u1', user_info: { name: 'A' } });
    const ok = await client.subscribe(channel, {
      auth: channelAuth(client.socketId, channel, channelData),
      channel_data: channelData,
    });
    assert.equal(ok.data.presence.count, 1, ok.raw);
  });

  it('presence with channel_data tampered after signing', async () => {
    const channel = fresh('presence');
    const signed = JSON.stringify({ user_id: 'u1', user_info: { name: 'A' } });
    const tampered = JSON.stringify({ user_id: 'admin', user_info: { name: 'A' } });
    await expectSubscribeError(
      { channel, auth: channelAuth(client.socketId, channel, signed), channel_data: tampered },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });

  it('presence signed without channel_data but sent with it', async () => {
    const channel = fresh('presence');
    await expectSubscribeError(
      {
        channel,
        auth: channelAuth(client.socketId, channel),
        channel_data: JSON.stringify({ user_id: 'u2' }),
      },
      { type: 'AuthError', status: 401, errorCode: 4009 },
    );
  });
});

describe('unsubscribe', () => {
  it('no events arrive after pusher:unsubscribe (checked with an HTTP trigger)', async () => {
    const channel = fresh('unsub');
    const other = await connect(gw.wsUrl());
    await client.subscribe(channel);
    await other.subscribe(channel);

    let res = await trigger(gw, { name: 'before', channel, data: 'one' });
    assert.equal(res.status, 200, res.text);
    const got = await client.waitEvent('before', { channel });
    assert.equal(got.dataRaw, 'one');
    await other.waitEvent('before', { channel });

    client.unsubscribe(channel);
    // No reply is defined for unsubscribe; give the server a moment, then prove the trigger
    // still reaches the other subscriber while this one gets nothing.
    await sleep(200);
    res = await trigger(gw, { name: 'after', channel, data: 'two' });
    assert.equal(res.status, 200, res.text);
    await other.waitEvent('after', { channel });
    await sleep(300);
    assert.deepEqual(
      client.messages.filter((m) => m.channel === channel && m.event === 'after').map((m) => m.raw),
      [],
      'event delivered after unsubscribe',
    );
    assert.equal(client.isOpen, true);
    other.terminate();
  });

  it('unsubscribing a channel never subscribed is harmless', async () => {
    const mark = client.messages.length;
    client.unsubscribe(fresh('never'));
    await stillWorks();
    const errors = client.messages.slice(mark).filter((m) => m.event === 'pusher:error');
    assert.deepEqual(errors.map((m) => m.raw), [], 'unsubscribe has no server reply');
  });

  it('the connection survived every error above', async () => {
    assert.equal(client.isOpen, true);
    assert.equal(client.closeInfo, undefined);
    client.send({ event: 'pusher:ping', data: {} });
    await client.waitEvent('pusher:pong');
  });
});
