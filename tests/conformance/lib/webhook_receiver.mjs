// A Pusher webhook receiver on 127.0.0.1 that checks every request the way a backend does on
// receipt: with the `pusher` 5.3.4 SDK's own validation (`pusher.webhook({headers, rawBody})`).
import { createServer } from 'node:http';
import { PusherServer, eventually } from './clients.mjs';

// Starts a receiver for `app`. Every request is recorded as {valid, events, rawBody, headers, status, at}; `statuses` are the answers to the
// first requests (200 after them).
export async function startReceiver(app, { statuses = [] } = {}) {
  const sdk = new PusherServer({ appId: app.id, key: app.key, secret: app.secret });
  const pending = [...statuses];
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const webhook = sdk.webhook({ headers: req.headers, rawBody });
      const valid = req.method === 'POST' && webhook.isValid();
      const status = pending.length > 0 ? pending.shift() : 200;
      requests.push({
        valid,
        events: valid ? webhook.getEvents() : [],
        time: valid ? webhook.getTime() : undefined,
        rawBody,
        headers: req.headers,
        path: req.url,
        status,
        at: Date.now(),
      });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'try again');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/pusher/webhook`,
    requests,
    // Events of accepted (2xx) requests, each with the arrival time of its request.
    events(channel) {
      return requests
        .filter((r) => r.status === 200)
        .flatMap((r) => r.events.map((e) => ({ ...e, at: r.at })))
        .filter((e) => channel === undefined || e.channel === channel);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// Waits (bounded) for the first accepted event on `receiver` matching `want` (partial match).
export function webhookEvent(receiver, want, ms = 5000) {
  return eventually(
    `webhook ${JSON.stringify(want)}`,
    () => receiver.events().find((e) => Object.entries(want).every(([k, v]) => e[k] === v)),
    ms,
  );
}
