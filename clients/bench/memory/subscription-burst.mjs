// A burst of subscriptions and its release, for the allocator comparison in gateway/README.md:
// `connections` clients each subscribe to `per` public channels of their own, then all leave.
// Samples the server's RSS (from /proc) before, at the peak, and 1 s and 10 s after the release.
// Loopback only; every wait is bounded.
//
//   node clients/bench/memory/subscription-burst.mjs --url ws://127.0.0.1:6001/app/app-key \
//        --pid $(pgrep -f realtime-gateway) [--connections 2000] [--per 100]
// (needs `ws` from tests/conformance/node_modules: run `npm ci` there first)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../../../tests/conformance/package.json'));
const WebSocket = require('ws');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const url = `${args.url ?? 'ws://127.0.0.1:6001/app/app-key'}?protocol=7&client=js&version=8.4.0`;
const pid = Number(args.pid);
const connections = Number(args.connections ?? 2000);
const per = Number(args.per ?? 100);

const rssMiB = () => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function client(index) {
  return new Promise((resolveClient, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let acked = 0;
    const timer = setTimeout(() => reject(new Error(`client ${index}: ${acked}/${per} in 120 s`)), 120000);
    ws.on('error', reject);
    ws.on('message', (data) => {
      const { event } = JSON.parse(data);
      if (event === 'pusher:connection_established') {
        for (let i = 0; i < per; i += 1) {
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: `burst-${index}-${i}` } }));
        }
      } else if (event === 'pusher_internal:subscription_succeeded' && ++acked === per) {
        clearTimeout(timer);
        resolveClient(ws);
      } else if (event === 'pusher:error') {
        clearTimeout(timer);
        reject(new Error(`client ${index}: ${data}`));
      }
    });
  });
}

const before = rssMiB();
const sockets = [];
for (let i = 0; i < connections; i += 64) {
  sockets.push(...(await Promise.all(Array.from({ length: Math.min(64, connections - i) }, (_, j) => client(i + j)))));
}
const peak = rssMiB();
await Promise.all(sockets.map((ws) => new Promise((r) => { ws.once('close', r); ws.close(); })));
await sleep(1000);
const after1 = rssMiB();
await sleep(9000);
const after10 = rssMiB();
console.log(JSON.stringify({
  subscriptions: connections * per, connections, rss_before_mib: +before.toFixed(1), rss_peak_mib: +peak.toFixed(1),
  rss_after_1s_mib: +after1.toFixed(1), rss_after_10s_mib: +after10.toFixed(1),
}));
