// Connection-time refusals over real sockets: every refusal completes the WebSocket upgrade, sends
// {"event":"pusher:error","data":{"code":N,"message":..}} and then closes with close code N
// (protocol notes §1.1, §1.3). Also the shape of a successful connection_established.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { closeAllClients, connect, refused, RawClient } from './lib/raw_ws.mjs';
import { sleep } from './lib/wait.mjs';

const QUERY = 'protocol=7&client=js&version=8.6.0&flash=false';
const app = (id, extra = {}) => ({ id, key: `${id}-key`, secret: `${id}-secret`, ...extra });
const DISABLED = app('disabled', { enabled: false });
const LIMITED = app('limited', { max_connections: 1 });
const ORIGINS = app('origins', { allowed_origins: ['https://good.example'] });
const WILDCARD = app('wildcard', { allowed_origins: ['*.example.com'] });
const SLOW = app('slow', { activity_timeout: 7 });

// Every close code seen in this file, checked at the end: nothing may close with 43xx, which
// pusher-js treats as "refused, never reconnect".
const closeCodes = [];

// Opens `url`, expects the upgrade to complete, a pusher:error with `code` as the first and only
// pusher message, then a close with the same code.
async function expectRefusal(url, code, options = {}) {
  const { close, messages, opened } = await refused(url, options);
  closeCodes.push(close.code);
  const seen = JSON.stringify(messages.map((m) => m.raw));
  assert.equal(opened, true, `WebSocket upgrade was not completed (${close.error}); want ${code}`);
  assert.ok(
    !messages.some((m) => m.event === 'pusher:connection_established'),
    `refused connection must not be established; got ${seen}`,
  );
  assert.ok(messages.length >= 1, `want a pusher:error before close ${code}; got nothing`);
  const first = messages[0];
  assert.equal(first.event, 'pusher:error', `first message should be pusher:error; got ${seen}`);
  assert.equal(typeof first.json.data, 'object', `pusher:error data should be an object: ${first.raw}`);
  assert.equal(first.json.data.code, code, `pusher:error code: ${first.raw}`);
  assert.equal(typeof first.json.data.message, 'string', `pusher:error message: ${first.raw}`);
  assert.ok(first.json.data.message.length > 0, 'pusher:error message should say something');
  assert.equal(close.code, code, `close code (reason ${JSON.stringify(close.reason)})`);
  return { close, messages };
}

async function expectEstablished(url, options = {}) {
  const client = await connect(url, options);
  assert.equal(client.isOpen, true);
  return client;
}

describe('connection refusals (one gateway, several apps)', () => {
  let gw;
  before(async () => {
    gw = await startGateway({ apps: [TEST_APP, DISABLED, LIMITED, ORIGINS, WILDCARD, SLOW] });
  });
  after(async () => {
    closeAllClients();
    await gw?.stop();
  });

  it('connection_established: first message, data is a JSON string with socket_id and activity_timeout', async () => {
    const client = new RawClient(gw.wsUrl());
    const first = await client.waitMatch(() => true, 'first message');
    assert.equal(first.event, 'pusher:connection_established', first.raw);
    assert.equal(typeof first.dataRaw, 'string', `data must be a JSON-encoded string: ${first.raw}`);
    const data = JSON.parse(first.dataRaw);
    assert.match(String(data.socket_id), /^\d+\.\d+$/);
    assert.equal(typeof data.socket_id, 'string');
    assert.equal(typeof data.activity_timeout, 'number');
    assert.equal(data.activity_timeout, 30, 'default activity_timeout');
    client.terminate();
  });

  it('connection_established carries the app activity_timeout', async () => {
    const client = await expectEstablished(gw.wsUrl(SLOW.key));
    assert.equal(client.activityTimeout, 7);
    client.terminate();
  });

  it('socket ids are unique per connection', async () => {
    const a = await expectEstablished(gw.wsUrl());
    const b = await expectEstablished(gw.wsUrl());
    assert.notEqual(a.socketId, b.socketId);
    a.terminate();
    b.terminate();
  });

  it('unknown app key -> 4001', async () => {
    await expectRefusal(gw.wsUrl('no-such-key'), 4001);
  });

  it('disabled app -> 4003', async () => {
    await expectRefusal(gw.wsUrl(DISABLED.key), 4003);
  });

  it('app max_connections: 1 -> second connection 4004; slot is freed on close', async () => {
    const first = await expectEstablished(gw.wsUrl(LIMITED.key));
    await expectRefusal(gw.wsUrl(LIMITED.key), 4004);
    assert.equal(first.isOpen, true, 'the refusal must not affect the admitted connection');
    first.ws.close(1000);
    await first.waitClose();
    // The server learns of the close asynchronously: retry for a bounded time.
    const deadline = Date.now() + 3000;
    let last;
    for (;;) {
      const attempt = new RawClient(gw.wsUrl(LIMITED.key));
      try {
        await attempt.established(2000);
        attempt.terminate();
        return;
      } catch (err) {
        last = err;
        attempt.terminate();
      }
      if (Date.now() > deadline) assert.fail(`slot not freed after close: ${last.message}`);
      await sleep(200);
    }
  });

  it('path not /app/{key} -> 4005', async () => {
    await expectRefusal(`ws://127.0.0.1:${gw.port}/foo/bar?${QUERY}`, 4005);
  });

  it('protocol=abc -> 4006', async () => {
    await expectRefusal(gw.wsUrl(TEST_APP.key, 'protocol=abc&client=js&version=8.6.0'), 4006);
  });

  it('protocol=3 -> 4007', async () => {
    await expectRefusal(gw.wsUrl(TEST_APP.key, 'protocol=3&client=js&version=8.6.0'), 4007);
  });

  it('protocol=8 -> 4007', async () => {
    await expectRefusal(gw.wsUrl(TEST_APP.key, 'protocol=8&client=js&version=8.6.0'), 4007);
  });

  it('no protocol parameter -> 4008', async () => {
    await expectRefusal(gw.wsUrl(TEST_APP.key, 'client=js&version=8.6.0&flash=false'), 4008);
  });

  it('Origin not in allowed_origins -> 4009', async () => {
    await expectRefusal(gw.wsUrl(ORIGINS.key), 4009, { origin: 'https://evil.example' });
  });

  it('allowed Origin connects', async () => {
    const client = await expectEstablished(gw.wsUrl(ORIGINS.key), { origin: 'https://good.example' });
    client.terminate();
  });

  it('no Origin header connects to an origin-restricted app', async () => {
    const client = await expectEstablished(gw.wsUrl(ORIGINS.key));
    client.terminate();
  });

  it('host-only pattern "*.example.com" allows https://a.example.com', async () => {
    const client = await expectEstablished(gw.wsUrl(WILDCARD.key), {
      origin: 'https://a.example.com',
    });
    client.terminate();
  });

  it('host-only pattern "*.example.com" still refuses https://evil.example -> 4009', async () => {
    await expectRefusal(gw.wsUrl(WILDCARD.key), 4009, { origin: 'https://evil.example' });
  });

  it('a refusal leaves other connections working', async () => {
    const client = await expectEstablished(gw.wsUrl());
    await expectRefusal(gw.wsUrl('no-such-key'), 4001);
    client.send({ event: 'pusher:ping', data: {} });
    await client.waitEvent('pusher:pong');
    client.terminate();
  });
});

describe('server-wide max_connections: 2', () => {
  let gw;
  before(async () => {
    gw = await startGateway({ config: { max_connections: 2 } });
  });
  after(async () => {
    closeAllClients();
    await gw?.stop();
  });

  it('third connection -> 4100, the first two stay open', async () => {
    const a = await expectEstablished(gw.wsUrl());
    const b = await expectEstablished(gw.wsUrl());
    await expectRefusal(gw.wsUrl(), 4100);
    assert.equal(a.isOpen, true);
    assert.equal(b.isOpen, true);
    a.send({ event: 'pusher:ping', data: {} });
    await a.waitEvent('pusher:pong');
    a.terminate();
    b.terminate();
  });
});

describe('close codes', () => {
  it('no close code in this file was >= 4300', () => {
    assert.ok(closeCodes.length >= 10, `expected the refusal tests to have run: ${closeCodes}`);
    const bad = closeCodes.filter((c) => c >= 4300);
    assert.deepEqual(bad, [], `close codes >= 4300 seen: ${closeCodes}`);
  });
});
