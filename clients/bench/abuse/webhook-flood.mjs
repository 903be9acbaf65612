// Webhook flood (issue 13, case 3): one connection subscribes to `junk` distinct public channels
// (rounds of 1000, each waiting for a pong), then a genuine member joins presence-genuine. A
// receiver on 127.0.0.1:`receiver-port` (point the app's webhook URL at it) prints when the
// genuine member_added arrived after the join and how many junk channel_occupied came before it.
// Loopback only; bounded.
//
//   node clients/bench/abuse/webhook-flood.mjs --port 6001 --receiver-port 6002 \
//        [--key app-key] [--secret app-secret] [--junk 50000]
// (needs `ws` from tests/conformance/node_modules: run `npm ci` there first)
import { createServer } from 'node:http';
import { args, presenceSubscribe, url, WebSocket } from './attacker.mjs';

const junk = Number(args.junk ?? 50000);

let junkSeen = 0;
let addedAt;
let junkAhead;
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    for (const e of JSON.parse(body).events) {
      if (e.name === 'channel_occupied' && e.channel.startsWith('junk-')) junkSeen += 1;
      if (e.name === 'member_added' && e.user_id === 'genuine' && addedAt === undefined) {
        addedAt = Date.now();
        junkAhead = junkSeen;
      }
    }
    res.end('ok');
  });
});
await new Promise((r) => receiver.listen(Number(args['receiver-port'] ?? 6002), '127.0.0.1', r));

function open() {
  return new Promise((resolveOpen, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.accepted = 0;
    ws.refused = 0;
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data);
      if (m.event === 'pusher:connection_established') {
        ws.socketId = JSON.parse(m.data).socket_id;
        resolveOpen(ws);
      }
      if (m.event === 'pusher_internal:subscription_succeeded') ws.accepted += 1;
      if (m.event === 'pusher:subscription_error') ws.refused += 1;
      if (m.event === 'pusher:pong') ws.onPong?.();
    });
  });
}

const attacker = await open();
const started = Date.now();
for (let i = 0; i < junk; i += 1000) {
  for (let j = i; j < Math.min(junk, i + 1000); j += 1) {
    attacker.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: `junk-${j}` } }));
  }
  await new Promise((r) => {
    const timer = setTimeout(r, 30000);
    attacker.onPong = () => (clearTimeout(timer), r());
    attacker.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
  });
}
const junkMs = Date.now() - started;
const member = await open();
const channel = 'presence-genuine';
const joinedAt = Date.now();
member.send(presenceSubscribe(member.socketId, channel, 'genuine'));
for (const deadline = Date.now() + 60000; addedAt === undefined && Date.now() < deadline; ) {
  await new Promise((r) => setTimeout(r, 10));
}
console.log(JSON.stringify({
  junk_asked: junk,
  junk_accepted: attacker.accepted,
  junk_refused: attacker.refused,
  junk_ms: junkMs,
  member_added_after_ms: addedAt === undefined ? null : addedAt - joinedAt,
  junk_webhooks_ahead: junkAhead ?? null,
  junk_webhooks_received: junkSeen,
}));
process.exit(0);
