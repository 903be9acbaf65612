// A cluster on 127.0.0.1 for the cluster tests: a real `redis-server` (no persistence, so a
// restart is an empty Redis) on a free port, and gateway nodes started by the conformance
// harness with `redis_url` pointing at it. Everything the tests drive is real: the binary, Redis,
// and the clients from ../../conformance/lib.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, afterEach, before } from 'node:test';
import { startGateway, TEST_APP, unusedPort } from '../../conformance/lib/gateway.mjs';
import { disconnectAll, eventually } from '../../conformance/lib/clients.mjs';
import { closeAllGrpc } from '../../conformance/lib/grpc.mjs';
import { closeAllClients } from '../../conformance/lib/raw_ws.mjs';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';

// The shortest lease the gateway takes: a killed node is reaped within 3 s plus a heartbeat.
export const LEASE_SECONDS = 3;

// One redis-server. `start()` binds `port` (a free one the first time) and resolves once it
// answers PING; `stop()` / `kill()` end it; `start()` again brings it back empty on the same port.
export class Redis {
  constructor() {
    this.port = undefined;
    this.proc = undefined;
    this.exited = undefined;
    this.log = '';
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    // A port found free can be taken before redis binds it: try again with another (bounded).
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (this.port === undefined || attempt > 0) {
        if (this.fixedPort && attempt > 0) await new Promise((r) => setTimeout(r, 200));
        else this.port = await unusedPort();
      }
      if (await this.launch()) {
        this.fixedPort = true; // a restart comes back where the nodes look for it
        return this;
      }
    }
    throw new Error(`redis-server did not start; its output:\n${this.log}`);
  }

  async launch() {
    const proc = spawn(
      REDIS_SERVER,
      ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    const ready = new Promise((resolve) => {
      const onLine = (line) => {
        this.log += `${line}\n`;
        if (line.includes('Ready to accept connections')) resolve(true);
      };
      createInterface({ input: proc.stdout }).on('line', onLine);
      createInterface({ input: proc.stderr }).on('line', onLine);
      this.exited.then(() => resolve(false));
    });
    const timeout = new Promise((resolve) => setTimeout(() => resolve(false), 10000).unref());
    const ok = await Promise.race([ready, timeout]);
    if (!ok) {
      proc.kill('SIGKILL');
      await this.exited;
      this.proc = undefined;
    }
    return ok;
  }

  // SIGTERM; waits for the exit (bounded).
  async stop() {
    if (!this.proc) return;
    const proc = this.proc;
    this.proc = undefined;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
  }

  // redis-cli against this server; resolves with its stdout lines (raw output, no formatting).
  cli(...args) {
    return new Promise((resolve, reject) => {
      execFile(
        REDIS_CLI,
        ['-h', '127.0.0.1', '-p', String(this.port), '--no-raw', ...args.map(String)],
        { timeout: 5000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
  }

  // redis-cli --raw: one value per line, for scripting.
  raw(...args) {
    return new Promise((resolve, reject) => {
      execFile(
        REDIS_CLI,
        ['-h', '127.0.0.1', '-p', String(this.port), '--raw', ...args.map(String)],
        { timeout: 5000, encoding: 'utf8' },
        (error, stdout) =>
          error ? reject(error) : resolve(stdout.split('\n').filter((l) => l.length > 0)),
      );
    });
  }

  // PUBSUB NUMSUB for one channel: how many connections (nodes) follow it.
  async numsub(channel) {
    const lines = await this.raw('PUBSUB', 'NUMSUB', channel);
    return Number(lines[1]);
  }

  // A hash whose values are counts, as {field: number}.
  async counts(key) {
    const flat = await this.raw('HGETALL', key);
    const out = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = Number(flat[i + 1]);
    return out;
  }
}

// A key of an app's cluster state (gateway/cluster/cluster_names.cc): "<prefix>:a<len>:<app>:<what>",
// e.g. appKey(APP, 'counts'), appKey(APP, `roster-connections:${channel}`).
export function appKey(app, what, prefix = 'realtime') {
  return `${prefix}:a${app.id.length}:${app.id}:${what}`;
}

// The gateway's pub/sub channel for a Pusher channel (gateway/cluster/cluster_names.cc):
// "<prefix>:a<len(app)>:<app>:c:<channel>".
export function trafficChannel(channel, app = TEST_APP, prefix = 'realtime') {
  return appKey(app, `c:${channel}`, prefix);
}

// The pub/sub channel of an app's channel events (webhooks, WatchEvents): "<prefix>:a<len>:<app>:events".
export function eventsChannel(app = TEST_APP, prefix = 'realtime') {
  return appKey(app, 'events', prefix);
}

// Starts a gateway node of the cluster on `redis`. `config` adds config keys; `apps` as in
// startGateway. Resolves once it listens and has joined the cluster (its log says so).
export async function startNode(redis, { apps, config = {}, env = {}, args = [] } = {}) {
  const gw = await startGateway({
    apps,
    config: { redis_url: redis.url, node_lease_seconds: LEASE_SECONDS, ...config },
    env,
    args,
  });
  await eventually('the node to join the cluster', () => logged(gw, 'cluster joined'), 10000);
  return gw;
}

// Starts `count` nodes (in parallel) on `redis`.
export function startNodes(redis, count, options = {}) {
  return Promise.all(Array.from({ length: count }, () => startNode(redis, options)));
}

// Log lines (parsed JSON) of `gw` whose msg is `msg`.
export function logged(gw, msg) {
  return gw.logLines
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return undefined;
      }
    })
    .filter((entry) => entry?.msg === msg);
}

// SIGKILL: no drain, no departure. Resolves on exit.
export async function killNode(gw) {
  gw.proc.kill('SIGKILL');
  return gw.exited;
}

// The value of a metric series on `gw`'s /metrics: `name{labels}` exactly as rendered, e.g.
// metric(gw, 'realtime_cluster_publishes_total{result="not_forwarded"}'). NaN when absent.
export async function metric(gw, series) {
  const text = await (await fetch(`${gw.operatorUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

// GET a probe path (/readyz, /up, /livez) and resolve with the status.
export async function probe(gw, path) {
  const response = await fetch(`${gw.httpUrl}${path}`, { signal: AbortSignal.timeout(3000) });
  await response.arrayBuffer();
  return response.status;
}

// The hooks of a test file that runs on one cluster: before all, Redis and `count` nodes (in
// `cluster.nodes`); after each, every client made through ../conformance/lib is closed; after
// all, the nodes are stopped (SIGTERM), then Redis. `options` (or an async function giving them,
// called in the before hook: for what must be started first) are startNode's, plus `count`;
// `ready(cluster)`, awaited once the nodes run, waits for what the tests need settled.
// (One before hook does it all: Node 20 runs a file's top-level before hooks concurrently.)
export function useCluster(options = {}, ready = async () => {}) {
  const cluster = { redis: new Redis(), nodes: [] };
  before(async () => {
    const { count = 3, ...nodeOptions } = typeof options === 'function' ? await options() : options;
    cluster.nodeOptions = nodeOptions;
    await cluster.redis.start();
    cluster.nodes = await startNodes(cluster.redis, count, nodeOptions);
    await ready(cluster);
  });
  afterEach(() => {
    disconnectAll();
    closeAllClients();
  });
  after(async () => {
    disconnectAll();
    closeAllClients();
    closeAllGrpc();
    await Promise.all(cluster.nodes.map((node) => node.stop()));
    await cluster.redis.stop();
  });
  return cluster;
}

// Polls an async `predicate` every `everyMs` until it resolves truthy (resolved with that value)
// or `ms` elapses (rejects, with the last value seen). For conditions that need a request to
// check (a query, redis-cli); conformance's `eventually` takes synchronous predicates only.
export async function until(what, predicate, ms = 5000, everyMs = 25) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await predicate();
    if (last) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
