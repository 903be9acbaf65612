// Starts the real realtime-gateway binary on 127.0.0.1 with free ports and a temporary config,
// and stops it again. Every conformance test drives the binary through this one harness.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createServer } from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
export const GATEWAY_BIN =
  process.env.GATEWAY_BIN ?? resolve(here, '../../../build/gateway/realtime-gateway');

// The app most tests use: client events on, short activity timeout left at the default.
export const TEST_APP = Object.freeze({
  id: 'test-app',
  key: 'test-key',
  secret: 'test-secret',
  enable_client_messages: true,
});

// Starts the gateway. `apps` replaces the app list (default: [TEST_APP]); `config` adds top-level
// config keys; `env` adds environment variables; `args` adds flags; `launcher` runs the binary
// through a command (e.g. ['prlimit', '--nofile=256:256', '--']). Resolves once the gateway has
// printed its "listening" line and GET /up answers 200.
export async function startGateway({
  apps = [TEST_APP],
  config = {},
  env = {},
  args = [],
  launcher = [],
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rtgw-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ host: '127.0.0.1', port: 0, grpc_port: 0, operator_port: 0, ...config, apps }, null, 2),
  );
  const [program, ...programArgs] = [...launcher, GATEWAY_BIN, '--config', configPath, ...args];
  const proc = spawn(program, programArgs, {
    env: { PATH: process.env.PATH, ...sanitizerOptions(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let stderr = '';
  proc.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolveExit) => {
    proc.on('exit', (code, signal) => resolveExit({ code, signal }));
  });
  const listening = new Promise((resolveListening, rejectListening) => {
    const timer = setTimeout(
      () => rejectListening(new Error(`gateway did not start in 15 s; stderr:\n${stderr}`)),
      15000,
    );
    createInterface({ input: proc.stdout }).on('line', (line) => {
      lines.push(line);
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        resolveListening(entry);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rejectListening(new Error(`gateway exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  const info = await listening;
  const gateway = {
    proc,
    port: info.port,
    grpcPort: info.grpc_port,
    httpUrl: `http://127.0.0.1:${info.port}`,
    operatorPort: info.operator_port,
    // The operator listener: /metrics and health, off the public port.
    operatorUrl: `http://127.0.0.1:${info.operator_port}`,
    wsUrl: (key = TEST_APP.key, query = 'protocol=7&client=js&version=8.6.0&flash=false') =>
      `ws://127.0.0.1:${info.port}/app/${key}?${query}`,
    logLines: lines,
    stderr: () => stderr,
    exited,
    // SIGTERM, then SIGKILL if still running after `graceMs`. Throws if a sanitizer reported
    // anything (the sanitizer builds run this suite too).
    async stop(graceMs = 15000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      }
      assertNoSanitizerReport(stderr);
      return exited;
    },
  };
  const up = await fetch(`${gateway.httpUrl}/up`);
  if (up.status !== 200) throw new Error(`GET /up answered ${up.status}`);
  return gateway;
}

// What a sanitizer build prints when it finds something; the ASan and TSan runs fail on it.
const SANITIZER_REPORT = /(Address|Thread|Leak|UndefinedBehavior)Sanitizer|runtime error: /;

export function assertNoSanitizerReport(stderr) {
  if (SANITIZER_REPORT.test(stderr)) throw new Error(`sanitizer report from the gateway:\n${stderr}`);
}

// The sanitizer settings of the test run (tests/README.md), passed on to every gateway started.
export function sanitizerOptions() {
  const names = ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'TSAN_OPTIONS', 'LSAN_OPTIONS'];
  return Object.fromEntries(names.filter((n) => process.env[n]).map((n) => [n, process.env[n]]));
}

// A port nothing listens on (a collector or backend that is down): bind, read the port, close.
export function unusedPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
