// realtime-bench (clients/bench) against the real gateway, at a size that takes a second or two:
// that every scenario still completes, counts what it sent and received, and loses nothing. Its
// speed is never asserted here (figures come from clients/bench/side-by-side.sh); this is what
// keeps the load generator working as the gateway changes (a stricter handshake once made the
// gateway refuse every bench connection, and no test noticed). REALTIME_BENCH_BIN overrides the
// binary's path.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway, TEST_APP } from './lib/gateway.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BENCH_BIN =
  process.env.REALTIME_BENCH_BIN ?? resolve(here, '../../build/clients/bench/realtime-bench');
const APP = { ...TEST_APP, enable_client_messages: true, max_client_events_per_second: 0 };

let gw;
before(async () => {
  gw = await startGateway({ apps: [APP] });
});
after(async () => {
  await gw?.stop();
});

// Runs one scenario with --json and returns its single result row.
function bench(scenario, args) {
  const argv = [
    scenario, ...args, '--json', '--url', `ws://127.0.0.1:${gw.port}`, '--app-id', APP.id,
    '--key', APP.key, '--secret', APP.secret, '--server-pid', String(gw.proc.pid),
  ];
  return new Promise((resolvePromise, reject) => {
    execFile(BENCH_BIN, argv, { timeout: 60000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`realtime-bench ${argv.join(' ')} failed: ${error.message}\n${stderr}`));
        return;
      }
      const result = JSON.parse(stdout.trim().split('\n').pop());
      assert.equal(result.scenario, scenario);
      resolvePromise(result.rows);
    });
  });
}

describe('realtime-bench against the gateway', () => {
  it('soak: after rounds of churn, descriptors and threads are back and RSS is bounded', async () => {
    // A gateway of its own, so that no other test's connections move its descriptors.
    const soaked = await startGateway({ apps: [APP] });
    try {
      const argv = [
        // 8 s: a round (connect, publish, close) can take 3 s under a sanitizer on 2 cores.
        'soak', '--duration', '8', '--connections', '40', '--channels', '4', '--rate', '50',
        '--json', '--url', `ws://127.0.0.1:${soaked.port}`, '--app-id', APP.id, '--key', APP.key,
        '--secret', APP.secret, '--server-pid', String(soaked.proc.pid),
      ];
      const { code, stdout, stderr } = await new Promise((done) => {
        execFile(BENCH_BIN, argv, { timeout: 120000 }, (error, out, err) =>
          done({ code: error ? error.code : 0, stdout: out, stderr: err }));
      });
      assert.equal(code, 0, `realtime-bench soak: ${stderr}`);
      const [row] = JSON.parse(stdout.trim().split('\n').pop()).rows;
      assert.ok(row.rounds >= 2, JSON.stringify(row));
      assert.ok(row.published > 0);
      assert.ok(row.descriptors_end <= row.descriptors_start, JSON.stringify(row));
      assert.ok(row.threads_end <= row.threads_start, JSON.stringify(row));
      assert.ok(row.rss_growth_mib <= 32, JSON.stringify(row));
    } finally {
      await soaked.stop();
    }
  });

  it('fanout at a fixed rate: every subscriber receives every publish', async () => {
    const [row] = await bench('fanout', ['--connections', '20', '--channels', '2', '--rate', '20',
      '--duration', '2']);
    assert.ok(row.published >= 10, JSON.stringify(row));  // 40 when the publisher is not starved
    assert.equal(row.publish_failed, 0);
    assert.equal(row.deliveries, row.published * 10, 'each publish reaches its channel\'s 10');
    assert.equal(row.lost, 0);
    assert.equal(row.dropped_connections, 0);
    assert.ok(row.latency_p99_ms > 0);
  });

  it('fanout with a JSON broadcast, offered compression: arrives compressed and smaller', async () => {
    const args = ['--connections', '20', '--channels', '2', '--rate', '20', '--duration', '1',
      '--payload', 'json', '--payload-bytes', '1200'];
    const [plain] = await bench('fanout', args);
    const [compressed] = await bench('fanout', [...args, '--compress']);
    for (const row of [plain, compressed]) {
      assert.equal(row.deliveries, row.published * 10, JSON.stringify(row));
      assert.equal(row.lost, 0);
    }
    assert.equal(plain.compressed_pct, 0);
    assert.equal(compressed.compressed_pct, 100);
    assert.ok(plain.wire_bytes_per_delivery > 1200, JSON.stringify(plain));
    assert.ok(compressed.wire_bytes_per_delivery * 2 < plain.wire_bytes_per_delivery,
      `${compressed.wire_bytes_per_delivery} vs ${plain.wire_bytes_per_delivery} bytes`);
  });

  it('connect: every connection is established and subscribed', async () => {
    const [row] = await bench('connect', ['--connections', '50', '--duration', '10']);
    assert.equal(row.established, 50);
    assert.equal(row.subscribed, 50);
    assert.equal(row.failed, 0);
  });

  it('idle: holds each step and reads the server RSS', async () => {
    const rows = await bench('idle', ['--steps', '10,20', '--duration', '1']);
    assert.deepEqual(rows.map((r) => [r.connections, r.open, r.failed]), [[10, 10, 0], [20, 20, 0]]);
    assert.ok(rows[1].server_rss_mib > 0);
  });

  it('client-events: presence members hear each other and nothing is lost', async () => {
    const [row] = await bench('client-events', ['--connections', '10', '--channels', '2',
      '--rate', '20', '--duration', '1']);
    assert.ok(row.deliveries > 0, JSON.stringify(row));
    assert.equal(row.lost, 0);
    assert.equal(row.errors, 0);
  });

  it('publish over the HTTP API and over gRPC: every publish is accepted', async () => {
    const [http] = await bench('publish', ['--publishers', '2', '--duration', '1']);
    assert.ok(http.publishes_per_s > 0, JSON.stringify(http));
    assert.equal(http.failed, 0);
    const [grpc] = await bench('publish', ['--publisher', 'grpc', '--grpc',
      `127.0.0.1:${gw.grpcPort}`, '--publishers', '2', '--duration', '1']);
    assert.ok(grpc.publishes_per_s > 0, JSON.stringify(grpc));
    assert.equal(grpc.failed, 0);
  });
});
