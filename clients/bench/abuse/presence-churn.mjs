// Presence churn (issue 13, case 4): `members` clients join presence-churn, then one more member
// loops subscribe/unsubscribe `cycles` times, in rounds of `round` (100) that each wait for a
// pong: an attacker that reads its answers (a round as large as `cycles` sends everything
// before it reads anything). Prints the churner's joins and refusals and how many
// member_added / member_removed of it each other member received. Loopback only; bounded.
//
//   node clients/bench/abuse/presence-churn.mjs --port 6001 [--key app-key] [--secret app-secret] \
//        [--members 60] [--cycles 20000] [--round 100]
// (needs `ws` from tests/conformance/node_modules: run `npm ci` there first)
import { args, presenceSubscribe, url, WebSocket } from './attacker.mjs';

const members = Number(args.members ?? 60);
const cycles = Number(args.cycles ?? 20000);
const round = Number(args.round ?? 100);
const channel = 'presence-churn';

// A raw client counting what it receives by event and by whether it is about the churner.
function open() {
  return new Promise((resolveOpen, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.setMaxListeners(0);
    ws.counts = {};
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data);
      if (m.event === 'pusher:connection_established') {
        ws.socketId = JSON.parse(m.data).socket_id;
        resolveOpen(ws);
      }
      const about = typeof m.data === 'string' ? (JSON.parse(m.data).user_id ?? '') : '';
      const name = `${m.event}:${about}`;
      ws.counts[name] = (ws.counts[name] ?? 0) + 1;
      ws.onMessage?.(name);
    });
    ws.on('close', (code) => {
      ws.closeCode = code;
    });
  });
}

function subscribe(ws, userId) {
  ws.send(presenceSubscribe(ws.socketId, channel, userId));
}

// Resolves when `ws` receives `name` (or closes), at most after `ms`.
function until(ws, name, ms = 60000) {
  return new Promise((done) => {
    if (ws.counts[name] || ws.closeCode !== undefined) return done();
    const timer = setTimeout(done, ms);
    ws.onMessage = (got) => got === name && (clearTimeout(timer), done());
    ws.once('close', () => (clearTimeout(timer), done()));
  });
}

const others = [];
for (let i = 0; i < members; i += 1) {
  const ws = await open();
  subscribe(ws, `member-${i}`);
  await until(ws, 'pusher_internal:subscription_succeeded:');
  others.push(ws);
}
const churner = await open();
const started = Date.now();
for (let i = 0; i < cycles && churner.closeCode === undefined; i += round) {
  for (let j = i; j < Math.min(cycles, i + round); j += 1) {
    subscribe(churner, 'churner');
    churner.send(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel } }));
  }
  churner.counts['pusher:pong:'] = 0;
  churner.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
  await until(churner, 'pusher:pong:');
}
const churnMs = Date.now() - started;
// Announcements keep the roster's order: a member that heard the marker heard all the churn.
const marker = await open();
subscribe(marker, 'marker');
await Promise.all(others.map((ws) => until(ws, 'pusher_internal:member_added:marker')));
const heard = others.map(
  (ws) => (ws.counts['pusher_internal:member_added:churner'] ?? 0) + (ws.counts['pusher_internal:member_removed:churner'] ?? 0),
);
console.log(JSON.stringify({
  members,
  cycles,
  churn_ms: churnMs,
  churner_joins: churner.counts['pusher_internal:subscription_succeeded:'] ?? 0,
  churner_refused: churner.counts['pusher:subscription_error:'] ?? 0,
  churner_closed: churner.closeCode ?? null,
  member_events_min: Math.min(...heard),
  member_events_max: Math.max(...heard),
  members_cut_off: others.filter((ws) => ws.closeCode !== undefined).length,
}));
process.exit(0);
