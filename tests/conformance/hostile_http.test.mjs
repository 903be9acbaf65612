// The Pusher HTTP API under hostile requests, signed by hand (protocol notes §3.1) so every
// parameter can be forged: signatures, clocks, versions, body digests, keys, bodies and limits.
// Every error answer is JSON {"error": "..."}; afterwards a legit trigger still reaches a socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { closeAllClients, connect } from './lib/raw_ws.mjs';
import { apiGet, apiRequest, nowSeconds, trigger, triggerBatch } from './lib/http_api.mjs';

const OTHER = { id: 'other-app', key: 'other-key', secret: 'other-secret' };
const OFF = { id: 'off-app', key: 'off-key', secret: 'off-secret', enabled: false };
const EVENTS = `/apps/${TEST_APP.id}/events`;
const event = (extra = {}) => ({ name: 'ev', channels: ['http-ch'], data: 'hello', ...extra });

let gw;
let subscriber;

before(async () => {
  gw = await startGateway({ apps: [TEST_APP, OTHER, OFF] });
  subscriber = await connect(gw.wsUrl());
  await subscriber.subscribe('http-ch');
});
after(async () => {
  closeAllClients();
  await gw?.stop();
});

function expectError(res, status) {
  assert.equal(res.status, status, `want ${status}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && typeof res.json === 'object', `error body must be JSON: ${res.text}`);
  assert.equal(typeof res.json.error, 'string', `error body must be {"error": "..."}: ${res.text}`);
  assert.ok(res.json.error.length > 0, 'error message should not be empty');
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
}

function expectOk(res) {
  assert.equal(res.status, 200, `want 200, got ${res.status}: ${res.text}`);
  assert.deepEqual(res.json, {}, `trigger answer should be {}: ${res.text}`);
}

describe('signature checks -> 401', () => {
  it('valid trigger -> 200 {} (control)', async () => {
    expectOk(await trigger(gw, event()));
  });

  it('timestamp 590 s old is still within tolerance (control)', async () => {
    expectOk(await trigger(gw, event(), { timestamp: nowSeconds() - 590 }));
  });

  it('signature made with the wrong secret', async () => {
    expectError(await trigger(gw, event(), { secret: 'forged-secret' }), 401);
  });

  it('signature with one hex digit changed', async () => {
    const res = await trigger(gw, event(), {
      afterSign: (p) => {
        const s = p.auth_signature;
        p.auth_signature = (s[0] === '0' ? '1' : '0') + s.slice(1);
      },
    });
    expectError(res, 401);
  });

  it('signature over a different path', async () => {
    const res = await trigger(gw, event(), { signPath: `/apps/${TEST_APP.id}/batch_events` });
    expectError(res, 401);
  });

  it('signature over a different method', async () => {
    expectError(await trigger(gw, event(), { signMethod: 'GET' }), 401);
  });

  it('a signed query parameter changed after signing', async () => {
    const res = await trigger(gw, event(), {
      beforeSign: (p) => {
        p.extra = 'x';
      },
      afterSign: (p) => {
        p.extra = 'y';
      },
    });
    expectError(res, 401);
  });

  it('stale auth_timestamp (now - 601)', async () => {
    expectError(await trigger(gw, event(), { timestamp: nowSeconds() - 601 }), 401);
  });

  it('future auth_timestamp (now + 601)', async () => {
    expectError(await trigger(gw, event(), { timestamp: nowSeconds() + 601 }), 401);
  });

  it('auth_version 2.0', async () => {
    expectError(await trigger(gw, event(), { authVersion: '2.0' }), 401);
  });

  it('body changed after signing (body_md5 mismatch)', async () => {
    const res = await trigger(gw, event(), {
      sendBody: JSON.stringify(event({ data: 'tampered' })),
    });
    expectError(res, 401);
  });

  it('body_md5 missing with a non-empty body', async () => {
    const res = await trigger(gw, event(), { beforeSign: (p) => delete p.body_md5 });
    expectError(res, 401);
  });

  it('auth_signature missing', async () => {
    const res = await trigger(gw, event(), { afterSign: (p) => delete p.auth_signature });
    expectError(res, 401);
  });

  it('auth_key missing', async () => {
    const res = await trigger(gw, event(), { afterSign: (p) => delete p.auth_key });
    expectError(res, 401);
  });

  it('auth_timestamp missing', async () => {
    const res = await trigger(gw, event(), { afterSign: (p) => delete p.auth_timestamp });
    expectError(res, 401);
  });

  it("another app's key and secret on this app's path", async () => {
    const res = await apiRequest(gw, { path: EVENTS, body: event(), app: OTHER });
    expectError(res, 401);
  });

  it("another app's key signed with this app's secret", async () => {
    const res = await apiRequest(gw, { path: EVENTS, body: event(), key: OTHER.key });
    expectError(res, 401);
  });

  it('nothing forged was delivered', async () => {
    // Only the two control triggers above were valid.
    const got = subscriber.messages.filter((m) => m.event === 'ev' && m.channel === 'http-ch');
    assert.equal(got.length, 2, JSON.stringify(got.map((m) => m.raw)));
    assert.ok(got.every((m) => m.dataRaw === 'hello'), 'tampered data was delivered');
    for (const m of got) m.consumed = true;
  });
});

describe('routing and app state', () => {
  it('unknown app id -> 404', async () => {
    const res = await apiRequest(gw, { path: '/apps/no-such-app/events', body: event() });
    expectError(res, 404);
  });

  it('disabled app -> 403', async () => {
    const res = await apiRequest(gw, { path: `/apps/${OFF.id}/events`, body: event(), app: OFF });
    expectError(res, 403);
  });

  it('unknown path -> 404 (unsigned and signed)', async () => {
    const plain = await fetch(`${gw.httpUrl}/no/such/path`, { signal: AbortSignal.timeout(5000) });
    const text = await plain.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    expectError({ status: plain.status, text, json, headers: plain.headers }, 404);
    expectError(await apiRequest(gw, { path: `/apps/${TEST_APP.id}/nonsense`, body: event() }), 404);
  });
});

describe('body validation -> 400 / 413', () => {
  it('malformed JSON body -> 400', async () => {
    expectError(await trigger(gw, '{"name": "ev", "channels": ["http-ch"], "data": '), 400);
  });

  it('data not a string -> 400', async () => {
    expectError(await trigger(gw, event({ data: { a: 1 } })), 400);
  });

  it('missing name -> 400', async () => {
    const body = event();
    delete body.name;
    expectError(await trigger(gw, body), 400);
  });

  it('101 channels -> 400; 100 channels -> 200', async () => {
    const channels = Array.from({ length: 101 }, (_, i) => `many-${i}`);
    expectError(await trigger(gw, event({ channels })), 400);
    expectOk(await trigger(gw, event({ channels: channels.slice(0, 100) })));
  });

  it('event name of 201 chars -> 400; 200 chars -> 200', async () => {
    expectError(await trigger(gw, event({ name: 'e'.repeat(201) })), 400);
    expectOk(await trigger(gw, event({ name: 'e'.repeat(200), channels: ['quiet'] })));
  });

  it('invalid channel name -> 400', async () => {
    expectError(await trigger(gw, event({ channels: ['foo bar'] })), 400);
    expectError(await trigger(gw, event({ channels: ['ok-channel', 'x'.repeat(165)] })), 400);
  });

  it('batch with 11 events -> 400; 10 -> 200', async () => {
    const one = { name: 'b', channel: 'quiet', data: 'x' };
    expectError(await triggerBatch(gw, Array(11).fill(one)), 400);
    const res = await triggerBatch(gw, Array(10).fill(one));
    assert.equal(res.status, 200, res.text);
  });

  it('data over 10 KB -> 413; 10000 bytes -> 200', async () => {
    expectError(await trigger(gw, event({ data: 'z'.repeat(12 * 1024), channels: ['quiet'] })), 413);
    expectOk(await trigger(gw, event({ data: 'z'.repeat(10000), channels: ['quiet'] })));
  });
});

describe('request-level hostility', () => {
  it('auth_timestamp that is not an integer -> 401', async () => {
    expectError(await trigger(gw, event(), { timestamp: 'yesterday' }), 401);
  });

  it('HTTP body over max_request_kb (300 KB vs default 256) -> 413', async () => {
    const res = await trigger(gw, event({ data: 'z'.repeat(300 * 1024), channels: ['quiet'] }));
    expectError(res, 413);
  });

  it('malformed percent-encoding in the query -> 400', async () => {
    const res = await fetch(`${gw.httpUrl}${EVENTS}?auth_key=%zz&x=%`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event()),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    expectError({ status: res.status, text, json, headers: res.headers }, 400);
  });
});

describe('GET endpoints', () => {
  it('users of a public channel -> 400 (presence only)', async () => {
    expectError(await apiGet(gw, `/apps/${TEST_APP.id}/channels/http-ch/users`), 400);
  });

  it('channels?info=user_count without a presence- filter -> 400', async () => {
    expectError(await apiGet(gw, `/apps/${TEST_APP.id}/channels`, { info: 'user_count' }), 400);
  });

  it('channels?info=user_count&filter_by_prefix=presence- -> 200 (control)', async () => {
    const res = await apiGet(gw, `/apps/${TEST_APP.id}/channels`, {
      info: 'user_count',
      filter_by_prefix: 'presence-',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(typeof res.json.channels, 'object', res.text);
  });

  it('GET with a forged signature -> 401', async () => {
    expectError(await apiGet(gw, `/apps/${TEST_APP.id}/channels`, {}, { secret: 'nope' }), 401);
  });
});

describe('after all that', () => {
  it('a legit trigger still works and reaches the subscribed socket', async () => {
    expectOk(await trigger(gw, { name: 'final', channel: 'http-ch', data: 'still here' }));
    const got = await subscriber.waitEvent('final', { channel: 'http-ch' });
    assert.equal(got.dataRaw, 'still here');
    assert.equal(subscriber.isOpen, true);
  });
});
