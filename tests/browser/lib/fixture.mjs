// The hooks a browser test file needs, set up once per file: the real gateway
// (../conformance/lib/gateway.mjs, with `gateway` as its options), the page server for `app`, and
// one Chromium. Pages opened with `fixture.page()` are closed after each test; everything is
// stopped after the file. Fields are filled in by the `before` hook:
//   const fx = browserFixture();
//   test('...', async () => { const client = await fx.client(); ... fx.gw.httpUrl ... });
import { after, afterEach, before } from 'node:test';
import { startGateway, TEST_APP } from '../../conformance/lib/gateway.mjs';
import { BrowserPusher } from './browser_pusher.mjs';
import { closeAllBrowsers, launchChromium, openPage } from './chromium.mjs';
import { startPageServer } from './page_server.mjs';

export function browserFixture({ gateway = {}, app = TEST_APP, static: staticDirs = {} } = {}) {
  const pages = [];
  const cleanups = [];
  const fixture = {
    gw: undefined,
    site: undefined,
    browser: undefined,
    app,
    // A fresh page of the page server (or `url`).
    async page(url) {
      const page = await openPage(fixture.browser, url ?? fixture.site.url);
      pages.push(page);
      return page;
    },
    // A connected pusher-js client in a fresh page; `wsPort` defaults to the gateway's.
    async client({ authParams = {}, wsPort, options } = {}) {
      return BrowserPusher.connect(await fixture.page(), {
        key: app.key,
        wsPort: wsPort ?? fixture.gw.port,
        authParams,
        options,
      });
    },
    // Runs `cleanup` after the current test (a wire tap to close, say).
    afterThisTest(cleanup) {
      cleanups.push(cleanup);
    },
  };
  before(async () => {
    fixture.gw = await startGateway(gateway);
    fixture.site = await startPageServer({ app, gatewayPort: fixture.gw.port, static: staticDirs });
    fixture.browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.context().close().catch(() => {})));
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  after(async () => {
    await closeAllBrowsers();
    await fixture.site?.close();
    await fixture.gw?.stop();
  });
  return fixture;
}
