// The gRPC port as infrastructure sees it: grpc.health.v1 (NOT_SERVING once a drain starts),
// TLS and mutual TLS from the config.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import crypto from 'node:crypto';
import grpc from '@grpc/grpc-js';
import loader from '@grpc/proto-loader';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { holdDrainOpen } from './lib/raw_ws.mjs';
import { sleep } from './lib/wait.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const options = { keepCase: true, enums: String, defaults: true };
const health = grpc.loadPackageDefinition(
  loader.loadSync(join(here, 'protos/grpc/health/v1/health.proto'), options),
).grpc.health.v1;
const realtime = grpc.loadPackageDefinition(
  loader.loadSync(join(here, '../../proto/realtime/v1/control.proto'), options),
).realtime.v1;

const token = crypto.createHmac('sha256', TEST_APP.secret).update('realtime.v1').digest('hex');
const gateways = [];
after(async () => {
  for (const gw of gateways) await gw.stop();
});

function unary(client, method, request, metadata = new grpc.Metadata()) {
  return new Promise((resolve) => {
    client[method](request, metadata, { deadline: Date.now() + 5000 }, (error, response) =>
      resolve(error ? { error } : { response }),
    );
  });
}


function bearer() {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

test('health is SERVING, then NOT_SERVING as soon as a drain starts', async () => {
  const gw = await startGateway({ config: { shutdown_grace_seconds: 10 } });
  gateways.push(gw);
  const client = new health.Health(`127.0.0.1:${gw.grpcPort}`, grpc.credentials.createInsecure());
  const before = await unary(client, 'Check', { service: '' });
  assert.equal(before.response?.status, 'SERVING');

  const holder = await holdDrainOpen(gw.port);
  gw.proc.kill('SIGTERM');
  let status = 'SERVING';
  for (const until = Date.now() + 10000; Date.now() < until && status === 'SERVING';) {
    const during = await unary(client, 'Check', { service: '' });
    status = during.response?.status ?? `error ${during.error?.code}`;
    if (status === 'SERVING') await sleep(25);
  }
  assert.equal(status, 'NOT_SERVING', 'health must report NOT_SERVING during the drain');
  client.close();
  holder.destroy();
});

test('control-plane calls during a drain are UNAVAILABLE', async () => {
  const gw = await startGateway({ config: { shutdown_grace_seconds: 10 } });
  gateways.push(gw);
  const client = new realtime.ControlPlane(
    `127.0.0.1:${gw.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
  const ok = await unary(client, 'ListChannels', { app_id: TEST_APP.id }, bearer());
  assert.equal(ok.error, undefined);
  const holder = await holdDrainOpen(gw.port);
  gw.proc.kill('SIGTERM');
  let code;
  for (const until = Date.now() + 10000; Date.now() < until && code === undefined;) {
    const during = await unary(client, 'ListChannels', { app_id: TEST_APP.id }, bearer());
    if (during.error) code = during.error.code;
    else await sleep(25);
  }
  assert.equal(code, grpc.status.UNAVAILABLE);
  client.close();
  holder.destroy();
});

// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, via openssl.
function signWithExtension(dir, name, extension) {
  writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
     '-CAcreateserial', '-days', '1', '-out', `${name}.crt`, '-extfile', `${name}.ext`],
    { cwd: dir, stdio: 'pipe' },
  );
}

function certificates() {
  const dir = mkdtempSync(join(tmpdir(), 'rtgw-tls-'));
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca',
      '-keyout', 'ca.key', '-out', 'ca.crt');
  for (const [name, extension] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ]) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`,
        '-out', `${name}.csr`);
    signWithExtension(dir, name, extension);
  }
  const read = (file) => readFileSync(join(dir, file));
  return { dir, ca: read('ca.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

test('TLS on the gRPC port: a client trusting the CA is served, a plaintext one is not', async () => {
  const certs = certificates();
  const gw = await startGateway({
    config: {
      grpc_tls_cert_file: join(certs.dir, 'server.crt'),
      grpc_tls_key_file: join(certs.dir, 'server.key'),
    },
  });
  gateways.push(gw);
  const secure = new realtime.ControlPlane(
    `127.0.0.1:${gw.grpcPort}`,
    grpc.credentials.createSsl(certs.ca),
  );
  const served = await unary(secure, 'ListChannels', { app_id: TEST_APP.id }, bearer());
  assert.equal(served.error, undefined, served.error?.details);
  const plain = new realtime.ControlPlane(
    `127.0.0.1:${gw.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
  const refused = await unary(plain, 'ListChannels', { app_id: TEST_APP.id }, bearer());
  assert.equal(refused.error?.code, grpc.status.UNAVAILABLE);
  secure.close();
  plain.close();
});

test('mutual TLS: only a client with a certificate from the configured CA is served', async () => {
  const certs = certificates();
  const gw = await startGateway({
    config: {
      grpc_tls_cert_file: join(certs.dir, 'server.crt'),
      grpc_tls_key_file: join(certs.dir, 'server.key'),
      grpc_tls_client_ca_file: join(certs.dir, 'ca.crt'),
    },
  });
  gateways.push(gw);
  const withCert = new realtime.ControlPlane(
    `127.0.0.1:${gw.grpcPort}`,
    grpc.credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert),
  );
  const served = await unary(withCert, 'ListChannels', { app_id: TEST_APP.id }, bearer());
  assert.equal(served.error, undefined, served.error?.details);
  const withoutCert = new realtime.ControlPlane(
    `127.0.0.1:${gw.grpcPort}`,
    grpc.credentials.createSsl(certs.ca),
  );
  const refused = await unary(withoutCert, 'ListChannels', { app_id: TEST_APP.id }, bearer());
  assert.equal(refused.error?.code, grpc.status.UNAVAILABLE);
  withCert.close();
  withoutCert.close();
});
