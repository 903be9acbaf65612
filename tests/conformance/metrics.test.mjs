// GET /metrics on the operator listener: Prometheus text that parses strictly, counters that move
// with real traffic, and nothing of it on the public port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { connectedClient, serverSdk, subscribe, disconnectAll } from './lib/clients.mjs';
import { connect, refused, closeAllClients } from './lib/raw_ws.mjs';
import { controlPlane } from './lib/grpc.mjs';
import { sleep } from './lib/wait.mjs';

// Polls an async check every 50 ms until it holds; fails after `ms`.
async function until(what, check, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}

let gw;
before(async () => {
  gw = await startGateway({ apps: [{ ...TEST_APP, enable_client_messages: true }] });
});
after(async () => {
  disconnectAll();
  closeAllClients();
  await gw.stop();
});

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// Parses the Prometheus text exposition format (0.0.4) strictly: every sample belongs to a family
// declared by # TYPE before it, label values are properly quoted and escaped, histogram buckets
// are cumulative and end in +Inf equal to _count. Returns [{name, labels, value}].
function parsePrometheus(text) {
  assert.ok(text.endsWith('\n'), 'exposition must end with a newline');
  const types = new Map();
  const samples = [];
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      assert.match(name, NAME);
      assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type), line);
      assert.ok(!types.has(name), `family ${name} declared twice`);
      types.set(name, type);
      continue;
    }
    assert.ok(!line.startsWith('#'), `unexpected comment: ${line}`);
    const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/);
    assert.ok(match, `malformed sample line: ${line}`);
    const [, name, , rawLabels, rawValue] = match;
    const labels = {};
    if (rawLabels) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/gy;
      let consumed = 0;
      for (const m of rawLabels.matchAll(re)) {
        assert.match(m[1], LABEL_NAME);
        labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        consumed = m.index + m[0].length;
      }
      assert.equal(consumed, rawLabels.length, `malformed labels: ${line}`);
    }
    const value = rawValue === '+Inf' ? Infinity : rawValue === 'NaN' ? NaN : Number(rawValue);
    assert.ok(!Number.isNaN(value) || rawValue === 'NaN', `bad value: ${line}`);
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(family), `sample ${name} has no # TYPE`);
    if (family !== name) assert.equal(types.get(family), 'histogram', line);
    samples.push({ name, labels, value });
  }
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const buckets = samples.filter((s) => s.name === `${family}_bucket`);
    const series = new Map();
    for (const bucket of buckets) {
      const { le, ...rest } = bucket.labels;
      const key = JSON.stringify(rest);
      if (!series.has(key)) series.set(key, []);
      series.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), value: bucket.value });
    }
    for (const [key, list] of series) {
      for (let i = 1; i < list.length; ++i) {
        assert.ok(list[i].le > list[i - 1].le, `${family} buckets out of order`);
        assert.ok(list[i].value >= list[i - 1].value, `${family} buckets not cumulative`);
      }
      assert.equal(list.at(-1).le, Infinity, `${family} lacks +Inf`);
      const count = samples.find(
        (s) => s.name === `${family}_count` && JSON.stringify(s.labels) === key,
      );
      assert.equal(count?.value, list.at(-1).value, `${family} +Inf != _count`);
    }
  }
  return samples;
}

async function scrape() {
  const response = await fetch(`${gw.operatorUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

function value(samples, name, labels = {}) {
  const found = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}

test('the exposition parses as Prometheus text and names the expected families', async () => {
  const samples = await scrape();
  const names = new Set(samples.map((s) => s.name));
  for (const family of [
    'realtime_connections', 'realtime_channels', 'realtime_subscriptions',
    'realtime_connections_opened_total', 'realtime_server_connections',
    'realtime_authorizer_calls_total', 'realtime_webhook_events_total',
  ]) {
    assert.ok(names.has(family), `missing ${family}`);
  }
});

test('counters and gauges move with connections, publishes, client events and refusals', async () => {
  const app = { app: TEST_APP.id };
  const before = await scrape();
  const a = await connectedClient(gw);
  const b = await connectedClient(gw);
  await subscribe(a, 'private-metrics');
  await subscribe(b, 'private-metrics');
  const sdk = serverSdk(gw);
  for (let i = 0; i < 3; ++i) await sdk.trigger('private-metrics', 'tick', { i });
  a.channel('private-metrics').trigger('client-hello', { from: 'a' });
  await refused(gw.wsUrl('no-such-key'));
  const cp = controlPlane(gw);
  await cp.listChannels({});
  await until('deliveries counted', async () => {
    const now = await scrape();
    return value(now, 'realtime_messages_sent_total', app) -
      value(before, 'realtime_messages_sent_total', app) >= 3 * 2 + 1;
  });

  const during = await scrape();
  const delta = (name, labels = app) => value(during, name, labels) - value(before, name, labels);
  assert.equal(delta('realtime_connections_opened_total'), 2);
  assert.equal(value(during, 'realtime_connections', app), 2);
  assert.equal(value(during, 'realtime_channels', app), 1);
  assert.equal(value(during, 'realtime_subscriptions', app), 2);
  assert.equal(delta('realtime_client_events_total'), 1);
  assert.ok(delta('realtime_messages_received_total') >= 3, 'subscribes and the client event');
  assert.ok(delta('realtime_bytes_sent_total') > 0);
  assert.equal(
    delta('realtime_http_requests_total', { route: '/apps/{app_id}/events', status: '200' }),
    3,
  );
  assert.equal(delta('realtime_connections_refused_total', { code: '4001' }), 1);
  assert.ok(
    delta('realtime_grpc_requests_total', {
      method: '/realtime.v1.ControlPlane/ListChannels', code: 'OK',
    }) >= 1,
  );

  a.disconnect();
  b.disconnect();
  await until('connections gauge back to 0', async () =>
    value(await scrape(), 'realtime_connections', app) === 0);
  const after = await scrape();
  assert.equal(
    value(after, 'realtime_connections_closed_total', { ...app, reason: 'client' }) -
      value(before, 'realtime_connections_closed_total', { ...app, reason: 'client' }),
    2,
  );
  cp.close?.();
});

test('the public port does not answer /metrics; it keeps the health endpoints', async () => {
  const metrics = await fetch(`${gw.httpUrl}/metrics`);
  assert.equal(metrics.status, 404);
  const body = await metrics.text();
  assert.ok(!body.includes('realtime_'), body);
  for (const path of ['/livez', '/readyz', '/up']) {
    assert.equal((await fetch(`${gw.httpUrl}${path}`)).status, 200, `public ${path}`);
    assert.equal((await fetch(`${gw.operatorUrl}${path}`)).status, 200, `operator ${path}`);
  }
  assert.equal(gw.operatorPort === gw.port, false);
});

test('operator_token: 401 without it, Bearer or basic auth with it', async () => {
  const token = 'op-secret-token';
  const guarded = await startGateway({ config: { operator_token: token } });
  try {
    const none = await fetch(`${guarded.operatorUrl}/metrics`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /Bearer/);
    const wrong = await fetch(`${guarded.operatorUrl}/metrics`, {
      headers: { authorization: 'Bearer op-secret-tokem' },
    });
    assert.equal(wrong.status, 401);
    const bearer = await fetch(`${guarded.operatorUrl}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(bearer.status, 200);
    assert.match(await bearer.text(), /^# (HELP|TYPE) realtime_/m);
    const basic = await fetch(`${guarded.operatorUrl}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from(`prometheus:${token}`).toString('base64')}` },
    });
    assert.equal(basic.status, 200);
    // Probes on the public port need no token.
    assert.equal((await fetch(`${guarded.httpUrl}/readyz`)).status, 200);
  } finally {
    await guarded.stop();
  }
});

test('REALTIME_OPERATOR_TOKEN sets the token', async () => {
  const guarded = await startGateway({ env: { REALTIME_OPERATOR_TOKEN: 'from-env' } });
  try {
    assert.equal((await fetch(`${guarded.operatorUrl}/metrics`)).status, 401);
    const ok = await fetch(`${guarded.operatorUrl}/metrics`, {
      headers: { authorization: 'Bearer from-env' },
    });
    assert.equal(ok.status, 200);
  } finally {
    await guarded.stop();
  }
});
