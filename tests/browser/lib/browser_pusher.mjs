// The Node side of page/harness.js: one pusher-js client inside a page, with bounded waits.
//   const client = await BrowserPusher.connect(page, { key, wsPort });
//   await client.subscribe('private-orders');
//   const data = await client.waitEvent('private-orders', 'shipped');
// Every wait has a deadline and fails with what the client did receive.
export class BrowserPusher {
  constructor(page, index) {
    this.page = page;
    this.index = index;
  }

  // Opens a client in `page` and waits until it is connected.
  static async connect(page, { key, wsPort, authParams = {}, options = {}, timeout = 10000 }) {
    const index = await page.evaluate((args) => window.rt.connect(args), {
      key,
      wsPort,
      authParams,
      options,
    });
    const client = new BrowserPusher(page, index);
    await client.waitState('connected', timeout);
    return client;
  }

  state() {
    return this.page.evaluate((i) => window.rt.state(i), this.index);
  }

  socketId() {
    return this.page.evaluate((i) => window.rt.socketId(i), this.index);
  }

  errors() {
    return this.page.evaluate((i) => window.rt.errors(i), this.index);
  }

  events(channel, event) {
    return this.page.evaluate(([i, c, e]) => window.rt.events(i, c ?? undefined, e ?? undefined), [
      this.index,
      channel ?? null,
      event ?? null,
    ]);
  }

  async waitState(state, timeout = 10000) {
    try {
      await this.page.waitForFunction(([i, s]) => window.rt.state(i) === s, [this.index, state], {
        timeout,
      });
    } catch (error) {
      throw new Error(
        `browser client ${this.index} did not reach ${state} in ${timeout} ms (now ${await this.state()}); ` +
          `errors ${JSON.stringify(await this.errors())}; page log ${JSON.stringify(this.page.logs)}`,
      );
    }
  }

  // Waits for the `n`-th (1-based) `event` on `channel` (null: connection-level) and returns its
  // data as pusher-js handed it to the app.
  async waitEvent(channel, event, { n = 1, timeout = 10000 } = {}) {
    try {
      await this.page.waitForFunction(
        ([i, c, e, count]) => window.rt.events(i, c ?? undefined, e).length >= count,
        [this.index, channel, event, n],
        { timeout },
      );
    } catch {
      throw new Error(
        `browser client ${this.index} got no ${event} #${n} on ${channel} in ${timeout} ms; ` +
          `received ${JSON.stringify((await this.events()).map((e) => [e.channel, e.event]))}; ` +
          `page log ${JSON.stringify(this.page.logs)}`,
      );
    }
    const matching = await this.events(channel ?? undefined, event);
    return matching[n - 1].data;
  }

  // Subscribes and waits for pusher:subscription_succeeded (fails at once on an error).
  async subscribe(channel, timeout = 10000) {
    await this.page.evaluate(([i, c]) => window.rt.subscribe(i, c), [this.index, channel]);
    try {
      await this.page.waitForFunction(
        ([i, c]) =>
          window.rt.events(i, c, 'pusher:subscription_succeeded').length > 0 ||
          window.rt.events(i, c, 'pusher:subscription_error').length > 0,
        [this.index, channel],
        { timeout },
      );
    } catch {
      throw new Error(`subscribing to ${channel} got no answer in ${timeout} ms`);
    }
    const failed = await this.events(channel, 'pusher:subscription_error');
    if (failed.length > 0) {
      throw new Error(`subscribing to ${channel} failed: ${JSON.stringify(failed[0].data)}`);
    }
    return (await this.events(channel, 'pusher:subscription_succeeded'))[0].data;
  }

  trigger(channel, event, data) {
    return this.page.evaluate(([i, c, e, d]) => window.rt.trigger(i, c, e, d), [
      this.index,
      channel,
      event,
      data,
    ]);
  }

  members(channel) {
    return this.page.evaluate(([i, c]) => window.rt.members(i, c), [this.index, channel]);
  }

  disconnect() {
    return this.page.evaluate((i) => window.rt.disconnect(i), this.index);
  }
}
