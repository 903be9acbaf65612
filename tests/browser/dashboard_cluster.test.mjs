// The dashboard's cluster view in Debian's headless Chromium: two real gateway nodes share a real
// redis-server (../cluster/lib/cluster.mjs), a pusher-js client connects to node B, and the
// dashboard opened on node A's operator listener lists node B and counts that client in the
// cluster's connections; node B killed (SIGKILL) leaves the view once its lease ran out. A
// screenshot goes to the build tree (lib/screenshots.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { killNode, LEASE_SECONDS, logged, Redis, startNode } from '../cluster/lib/cluster.mjs';
import { BrowserPusher } from './lib/browser_pusher.mjs';
import { closeAllBrowsers, launchChromium, openPage } from './lib/chromium.mjs';
import { startPageServer } from './lib/page_server.mjs';
import { pageErrors, screenshotPath } from './lib/screenshots.mjs';

const USER = 'operator';
const PASSWORD = 'correct horse battery staple';
const DASHBOARD = { dashboard: true, dashboard_user: USER, dashboard_password: PASSWORD };

const redis = new Redis();
let nodeA;
let nodeB;
let site; // the page node B's client is loaded from
let browser;

// One before hook does it all: Node 20 runs a file's top-level before hooks concurrently.
before(async () => {
  await redis.start();
  [nodeA, nodeB] = await Promise.all([
    startNode(redis, { config: DASHBOARD }),
    startNode(redis, { config: DASHBOARD }),
  ]);
  site = await startPageServer({ app: TEST_APP, gatewayPort: nodeB.port });
  browser = await launchChromium();
});

after(async () => {
  await closeAllBrowsers();
  await site?.close();
  await Promise.all([nodeA, nodeB].filter(Boolean).map((node) => node.stop()));
  await redis.stop();
});

// The node's id in the cluster, from its latest "cluster joined" line (a new lease, a new id).
function nodeId(gw) {
  const joined = logged(gw, 'cluster joined');
  assert.ok(joined.length > 0, 'the node logged that it joined');
  return joined[joined.length - 1].node;
}

async function openDashboard(gw) {
  const context = await browser.newContext({
    httpCredentials: { username: USER, password: PASSWORD },
    viewport: { width: 1440, height: 1300 },
  });
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (message) => page.logs.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => page.logs.push(`pageerror: ${error.message}`));
  const response = await page.goto(`${gw.operatorUrl}/dashboard/?app=${TEST_APP.id}`,
                                   { waitUntil: 'load', timeout: 15000 });
  assert.equal(response.status(), 200);
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'live',
                             null, { timeout: 10000 });
  return page;
}

// The node rows the page shows: [{id, self, connections}].
function shownNodes(page) {
  return page.$$eval('#cluster-nodes tbody tr', (rows) => rows.map((row) => ({
    id: row.dataset.node,
    self: row.dataset.self === 'true',
    connections: row.querySelector('[data-key="connections"]').textContent,
  })));
}

test("node A's dashboard shows node B and counts B's client in the cluster's connections; B killed leaves it after its lease", async () => {
  const page = await openDashboard(nodeA);
  const idA = nodeId(nodeA);
  const idB = nodeId(nodeB);
  assert.equal(await page.textContent('#node'), 'Redis cluster node');
  // Both nodes appear once each has shared its figures (a dashboard sample, then a heartbeat).
  await page.waitForFunction(([a, b]) => {
    const ids = [...document.querySelectorAll('#cluster-nodes tbody tr')].map((r) => r.dataset.node);
    return ids.includes(a) && ids.includes(b);
  }, [idA, idB], { timeout: 10000, polling: 100 });
  const before = await shownNodes(page);
  assert.deepEqual(before.map((n) => n.self).sort(), [false, true]);
  assert.equal(before.find((n) => n.self).id, idA, "node A's own row is marked as this node");
  assert.equal(await page.getAttribute('#scope-cluster', 'aria-pressed'), 'true',
               'a cluster opens on the whole cluster');
  assert.equal(await page.textContent('#tile-connections'), '0');

  // A pusher-js client, in another page, connects to node B.
  const clientPage = await openPage(browser, site.url);
  const client = await BrowserPusher.connect(clientPage, { key: TEST_APP.key, wsPort: nodeB.port });
  await client.subscribe('cluster-view');
  const started = Date.now();
  await page.waitForFunction((b) => {
    const row = document.querySelector(`#cluster-nodes tbody tr[data-node="${b}"]`);
    return row?.querySelector('[data-key="connections"]').textContent === '1' &&
           document.getElementById('tile-connections').textContent === '1';
  }, idB, { timeout: 15000, polling: 50 });
  const elapsed = Date.now() - started;
  // Node B samples every second, shares on its next heartbeat (1 s), node A reads every second
  // and the page polls four times a second: about 3.3 s at worst, and more when the two sanitizer
  // builds, Redis and Chromium share two cores.
  assert.ok(elapsed <= 9000, `the cluster's count included B's client after ${elapsed} ms`);
  await page.waitForFunction(() => document.getElementById('tile-subscriptions').textContent === '1',
                             null, { timeout: 5000, polling: 50 });

  // This node's own figures are one click away: node A has no client.
  await page.click('#scope-node');
  assert.equal(await page.getAttribute('#scope-node', 'aria-pressed'), 'true');
  assert.equal(await page.textContent('#tile-connections'), '0');
  await page.click('#scope-cluster');
  assert.equal(await page.textContent('#tile-connections'), '1');
  // The cluster's chart has B's connection in it too.
  await page.waitForFunction(
    () => Number(document.querySelector('#chart-connections svg').dataset.last_connections) === 1,
    null, { timeout: 5000, polling: 100 });
  await page.screenshot({ path: screenshotPath('dashboard-cluster.png'), fullPage: true });

  // Node B dies without a word: its figures stop, and once its lease ran out it is left out
  // (and reaped, which deletes its entry).
  await killNode(nodeB);
  const killed = Date.now();
  await page.waitForFunction((b) => !document.querySelector(`#cluster-nodes tbody tr[data-node="${b}"]`),
                             idB, { timeout: LEASE_SECONDS * 1000 + 10000, polling: 100 });
  const gone = Date.now() - killed;
  assert.ok(gone <= LEASE_SECONDS * 1000 + 7000, `node B left the view ${gone} ms after it was killed`);
  await page.waitForFunction(() => document.getElementById('tile-connections').textContent === '0',
                             null, { timeout: 3000, polling: 50 });
  assert.deepEqual((await shownNodes(page)).map((n) => n.id), [idA]);
  assert.equal(await page.textContent('#cluster-count'), '1 node');
  assert.deepEqual(pageErrors(page), []);
  await page.context().close();
  await clientPage.context().close();
});
