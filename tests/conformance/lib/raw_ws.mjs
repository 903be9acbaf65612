// A raw `ws` client for protocol-level tests: it keeps every frame the server sends (parsed), lets
// a test await one event by name (each awaited message is consumed, so the next wait sees only
// later or unmatched ones), and exposes the close code and reason. Every wait is bounded.
import { createHmac } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { TEST_APP } from './gateway.mjs';
import { waitFor } from './wait.mjs';

const live = new Set();

// Parses a server frame. `data` of pusher events is a JSON-encoded string; `data` here is the
// decoded value when it decodes, else the value as sent. `dataRaw` is always the value as sent.
function parseFrame(text, isBinary) {
  const entry = { raw: text, isBinary, json: undefined, event: undefined, channel: undefined };
  try {
    entry.json = JSON.parse(text);
  } catch {
    return entry;
  }
  if (entry.json && typeof entry.json === 'object' && !Array.isArray(entry.json)) {
    entry.event = entry.json.event;
    entry.channel = entry.json.channel;
    entry.dataRaw = entry.json.data;
    entry.data = entry.json.data;
    if (typeof entry.data === 'string') {
      try {
        entry.data = JSON.parse(entry.data);
      } catch {
        // a plain string payload stays a string
      }
    }
  }
  return entry;
}

export class RawClient {
  // `options` go to the `ws` constructor (origin, headers, ...). Compression is off so frames on
  // the wire are exactly what the test sends.
  constructor(url, options = {}) {
    this.url = url;
    this.messages = [];
    this.waiters = [];
    this.pongs = [];
    this.error = undefined;
    this.closeInfo = undefined;
    this.socketId = undefined;
    this.activityTimeout = undefined;
    this.ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5000, ...options });
    live.add(this);
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      this.ws.once('close', () => resolve(false));
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString(), error: this.error?.message };
        live.delete(this);
        for (const waiter of this.waiters.splice(0)) waiter.onClose(this.closeInfo);
        resolve(this.closeInfo);
      });
    });
    this.ws.on('error', (err) => {
      this.error = err;
    });
    this.ws.on('pong', (payload) => this.pongs.push(Buffer.from(payload)));
    this.ws.on('message', (data, isBinary) => {
      const entry = parseFrame(Buffer.from(data).toString('utf8'), isBinary);
      entry.at = Date.now();
      this.messages.push(entry);
      for (const waiter of [...this.waiters]) {
        if (!entry.consumed && waiter.match(entry)) {
          entry.consumed = true;
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      }
    });
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  events() {
    return this.messages.map((m) => m.event ?? m.raw.slice(0, 80));
  }

  // Awaits the first not-yet-consumed message with this event name (and channel / predicate if
  // given) and consumes it. Rejects on timeout or when the socket closes first.
  waitEvent(event, { channel, where = () => true, timeout = 5000 } = {}) {
    const match = (m) =>
      m.event === event && (channel === undefined || m.channel === channel) && where(m);
    const what = `${event}${channel !== undefined ? ` on ${JSON.stringify(channel)}` : ''}`;
    return this.waitMatch(match, what, timeout);
  }

  // Same, for any predicate over parsed messages.
  waitMatch(match, what, timeout = 5000) {
    const found = this.messages.find((m) => !m.consumed && match(m));
    if (found) {
      found.consumed = true;
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        onClose: (info) => {
          clearTimeout(timer);
          reject(
            new Error(
              `connection closed (code ${info.code}, reason ${JSON.stringify(info.reason)}` +
                `${info.error ? `, error ${info.error}` : ''}) before ${what}; received: ` +
                JSON.stringify(this.events()),
            ),
          );
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new Error(
            `timed out after ${timeout} ms waiting for ${what}; received: ${JSON.stringify(this.events())}`,
          ),
        );
      }, timeout);
      if (this.closeInfo) waiter.onClose(this.closeInfo);
      else this.waiters.push(waiter);
    });
  }

  // Unconsumed messages matching event (and channel), without waiting.
  pending(event, channel) {
    return this.messages.filter(
      (m) => !m.consumed && m.event === event && (channel === undefined || m.channel === channel),
    );
  }

  // Awaits pusher:connection_established and records socket_id / activity_timeout.
  async established(timeout = 5000) {
    const m = await this.waitEvent('pusher:connection_established', { timeout });
    this.socketId = m.data?.socket_id;
    this.activityTimeout = m.data?.activity_timeout;
    return m;
  }

  waitClose(timeout = 5000) {
    return waitFor(`close of ${this.url}`, (done) => this.closed.then(done), timeout);
  }

  send(message) {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data, options = {}) {
    this.ws.send(data, options);
  }

  // Subscribes and awaits pusher_internal:subscription_succeeded; a pusher:subscription_error
  // for that channel fails at once.
  async subscribe(channel, extra = {}, timeout = 5000) {
    this.send({ event: 'pusher:subscribe', data: { channel, ...extra } });
    const m = await this.waitMatch(
      (x) =>
        x.channel === channel &&
        (x.event === 'pusher_internal:subscription_succeeded' ||
          x.event === 'pusher:subscription_error'),
      `subscription_succeeded on ${JSON.stringify(channel)}`,
      timeout,
    );
    if (m.event !== 'pusher_internal:subscription_succeeded') {
      throw new Error(`subscribe ${JSON.stringify(channel)} answered ${m.raw}`);
    }
    return m;
  }

  unsubscribe(channel) {
    this.send({ event: 'pusher:unsubscribe', data: { channel } });
  }

  terminate() {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

// Opens a connection and awaits connection_established.
export async function connect(url, options = {}) {
  const client = new RawClient(url, options);
  await client.established();
  return client;
}

// Opens a connection the server is expected to refuse and collects everything until it closes.
// Resolves { client, messages, close: {code, reason, error}, opened }.
export async function refused(url, options = {}, timeout = 5000) {
  const client = new RawClient(url, options);
  const close = await client.waitClose(timeout).catch((err) => {
    client.terminate();
    throw new Error(`${err.message}; received: ${JSON.stringify(client.events())}`);
  });
  return { client, messages: client.messages, close, opened: await client.opened };
}

// Terminates every RawClient still open (for after hooks).
export function closeAllClients() {
  for (const client of [...live]) client.terminate();
  live.clear();
}

// Channel authorization exactly as a Pusher auth endpoint computes it.
export function channelAuth(socketId, channel, channelData, app = TEST_APP) {
  const payload =
    channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${app.key}:${createHmac('sha256', app.secret).update(payload).digest('hex')}`;
}

// A WebSocket peer that completes the upgrade and then never reads or answers anything, so a
// drain waits for it until the grace period ends and the draining state can be observed. Returns
// the net.Socket (destroy it when done).
export function holdDrainOpen(port, key = TEST_APP.key) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `GET /app/${key}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.once('data', (chunk) => {
      if (!chunk.toString().startsWith('HTTP/1.1 101')) reject(new Error('upgrade refused'));
      socket.pause();
      resolve(socket);
    });
    socket.on('error', () => {});
  });
}
