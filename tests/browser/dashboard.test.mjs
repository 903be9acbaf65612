// The operator's dashboard in Debian's headless Chromium, against the real gateway: served on
// the operator listener only, behind its credentials; the debug console shows what other clients
// do as they do it; the charts move under traffic; the event creator publishes to a pusher-js
// subscriber. Screenshots go to the build tree (lib/screenshots.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import PusherServer from 'pusher';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { browserFixture } from './lib/fixture.mjs';
import { pageErrors, screenshotPath } from './lib/screenshots.mjs';

const USER = 'operator';
const PASSWORD = 'correct horse battery staple';
const fx = browserFixture({
  gateway: {
    config: { dashboard: true, dashboard_user: USER, dashboard_password: PASSWORD,
            },
  },
});

// The operator listener's address, from the gateway's "listening" line.
function operatorUrl() {
  const listening = fx.gw.logLines.map((line) => {
    try { return JSON.parse(line); } catch { return {}; }
  }).find((entry) => entry.msg === 'listening');
  assert.ok(listening?.operator_port, 'the listening line names the operator port');
  return `http://127.0.0.1:${listening.operator_port}`;
}

function basic(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

// The dashboard of TEST_APP in a fresh browser context that knows the credentials, once its
// first poll went through.
async function openDashboard() {
  const context = await fx.browser.newContext({
    httpCredentials: { username: USER, password: PASSWORD },
    viewport: { width: 1440, height: 1200 },
  });
  fx.afterThisTest(() => context.close());
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (message) => page.logs.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => page.logs.push(`pageerror: ${error.message}`));
  const response = await page.goto(`${operatorUrl()}/dashboard/?app=${TEST_APP.id}`,
                                   { waitUntil: 'load', timeout: 15000 });
  assert.equal(response.status(), 200);
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'live',
                             null, { timeout: 10000 });
  return page;
}

function consoleRow(page, predicate, arg, timeout) {
  return page.waitForFunction(predicate, arg, { timeout, polling: 50 });
}

test('the dashboard is refused without its credentials, and absent from the public port', async () => {
  const base = operatorUrl();
  for (const path of ['/dashboard/', '/dashboard/api/apps', '/dashboard/dashboard.js',
                      `/dashboard/api/live?app=${TEST_APP.id}`]) {
    const bare = await fetch(`${base}${path}`);
    assert.equal(bare.status, 401, path);
    assert.match(bare.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    const wrong = await fetch(`${base}${path}`, { headers: { authorization: basic(USER, 'guess') } });
    assert.equal(wrong.status, 401, path);
  }
  const right = await fetch(`${base}/dashboard/api/apps`,
                            { headers: { authorization: basic(USER, PASSWORD) } });
  assert.equal(right.status, 200);
  assert.equal((await right.json()).apps[0].id, TEST_APP.id);
  // A browser without them is refused too (headless Chromium, which cannot ask anyone, ends the
  // navigation there).
  const context = await fx.browser.newContext();
  fx.afterThisTest(() => context.close());
  const page = await context.newPage();
  await assert.rejects(page.goto(`${base}/dashboard/`), /ERR_INVALID_AUTH_CREDENTIALS/);
  // Never on the port clients and backends use.
  assert.equal((await fetch(`${fx.gw.httpUrl}/dashboard/`)).status, 404);
});

test('the console shows a connection another client opens within a second', async () => {
  const page = await openDashboard();
  const client = await fx.client();
  const socketId = await client.socketId();
  const started = Date.now();
  await consoleRow(page, (id) => [...document.querySelectorAll('#console tbody tr')].some(
    (row) => row.dataset.kind === 'connection_opened' && row.textContent.includes(id)), socketId, 1000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed <= 1000, `shown after ${elapsed} ms`);
  await page.waitForFunction(() => document.getElementById('tile-connections').textContent === '1',
                             null, { timeout: 2000 });
  // It leaves: the console says so, with the code.
  await client.disconnect();
  await consoleRow(page, (id) => [...document.querySelectorAll('#console tbody tr')].some(
    (row) => row.dataset.kind === 'connection_closed' && row.textContent.includes(id)), socketId, 5000);
  assert.deepEqual(pageErrors(page), []);
});

test('the charts move under traffic', async () => {
  const page = await openDashboard();
  const chart = '#chart-messages svg';
  const line = (selector) => document.querySelector(selector)
    .querySelector('polyline[data-key="messages_out"]').getAttribute('points');
  const before = await page.$eval(chart, (svg) => Number(svg.dataset.peak_messages_out));
  const drawnBefore = await page.evaluate(line, chart);
  const client = await fx.client();
  await client.subscribe('ticker');
  const backend = new PusherServer({ appId: TEST_APP.id, key: TEST_APP.key, secret: TEST_APP.secret,
                                     host: '127.0.0.1', port: String(fx.gw.port), useTLS: false });
  for (let i = 0; i < 20; ++i) await backend.trigger('ticker', 'tick', { i });
  await client.waitEvent('ticker', 'tick', { n: 20 });
  // The dashboard samples once a second: within a few, the line has risen.
  await page.waitForFunction((selector) => Number(document.querySelector(selector).dataset.peak_messages_out) > 0,
                             chart, { timeout: 5000 });
  const after = await page.$eval(chart, (svg) => Number(svg.dataset.peak_messages_out));
  assert.ok(after > before, `messages out per second peaked at ${before}, then ${after}`);
  assert.notEqual(await page.evaluate(line, chart), drawnBefore);
  await page.waitForFunction(() => Number(document.querySelector('#chart-publishes svg').dataset.peak_published) > 0,
                             null, { timeout: 5000 });
  assert.deepEqual(pageErrors(page), []);
});

test("the event creator's publish reaches a pusher-js subscriber and appears in the console", async () => {
  const page = await openDashboard();
  const subscriber = await fx.client({ authParams: { user_id: 'ada', user_name: 'Ada' } });
  await subscriber.subscribe('orders');
  await subscriber.subscribe('presence-support');
  // The channels panel lists them; a presence channel shows its members.
  await page.waitForFunction(() => document.querySelector('#channels tbody tr[data-channel="orders"]'),
                             null, { timeout: 10000 });
  await page.click('#channels tbody tr[data-channel="presence-support"]');
  await page.waitForFunction(() => document.querySelector('#members li[data-user="ada"]'), null,
                             { timeout: 5000 });

  await page.fill('#creator-channel', 'orders');
  await page.fill('#creator-event', 'order.shipped');
  await page.fill('#creator-data', '{"id": 42, "note": "ünïcødé"}');
  await page.click('#creator-send');
  const data = await subscriber.waitEvent('orders', 'order.shipped');
  assert.deepEqual(data, { id: 42, note: 'ünïcødé' });
  await page.waitForFunction(() => document.getElementById('creator-result').className === 'result ok',
                             null, { timeout: 5000 });
  await consoleRow(page, () => [...document.querySelectorAll('#console tbody tr')].some(
    (row) => row.dataset.kind === 'api_message' && row.dataset.channel === 'orders' &&
             row.textContent.includes('order.shipped') && row.textContent.includes('via dashboard')),
    null, 5000);

  // The console filters by kind and by channel.
  await page.selectOption('#filter-kind', 'api');
  const visibleKinds = await page.$$eval('#console tbody tr:not([hidden])', (rows) => [...new Set(rows.map((r) => r.dataset.kind))]);
  assert.deepEqual(visibleKinds, ['api_message']);
  await page.selectOption('#filter-kind', '');
  await page.fill('#filter-channel', 'presence-support');
  const visibleChannels = await page.$$eval('#console tbody tr:not([hidden])', (rows) => [...new Set(rows.map((r) => r.dataset.channel))]);
  assert.deepEqual(visibleChannels, ['presence-support']);
  await page.fill('#filter-channel', '');

  await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });
  assert.deepEqual(pageErrors(page), []);

  // A bad one is refused with the HTTP API's reason (the browser logs the 400 it got).
  await page.fill('#creator-channel', 'not a channel!');
  await page.click('#creator-send');
  await page.waitForFunction(() => document.getElementById('creator-result').className === 'result error',
                             null, { timeout: 5000 });
  assert.match(await page.textContent('#creator-result'), /Refused: .*not a channel!/);
  assert.deepEqual(pageErrors(page).filter((line) => !line.includes('status of 400')), []);
});
