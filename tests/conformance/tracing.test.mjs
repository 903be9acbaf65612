// OpenTelemetry tracing: the gateway as an OTLP/gRPC exporter and a W3C trace-context hop.
//
// The test runs its own OTLP trace receiver (grpc-js serving
// opentelemetry.proto.collector.trace.v1.TraceService/Export, loaded from the project's
// proto/opentelemetry/... files with proto-loader) and starts the gateway with
// OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<receiver port>, OTEL_SERVICE_NAME=gw-test. It checks:
// (a) a gRPC Publish carrying `traceparent` metadata exports a SERVER span in that trace whose
//     parent is the caller's span, and a PRODUCER "publish <template>" span under it;
// (b) the same through the Pusher HTTP API with a `traceparent` header (signed by hand with
//     lib/http_api.mjs, since the `pusher` SDK cannot add headers);
// (c) a ChannelAuthorizer call carries `traceparent` metadata naming exactly the exported CLIENT
//     span, so the backend continues the trace;
// (d) with no collector listening, the gateway keeps delivering and stops in bounded time;
// (e) a webhook POST carries `traceparent` naming the exported CLIENT span.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startGateway, TEST_APP, unusedPort } from './lib/gateway.mjs';
import {
  appToken,
  bearer,
  closeAllGrpc,
  controlPlane,
  grpc,
  realtime,
} from './lib/grpc.mjs';
import { OtlpReceiver, attr, hex, newSpanId, newTraceId } from './lib/otlp_receiver.mjs';
import {
  collect,
  connectedClient,
  disconnectAll,
  eventually,
  subscribe,
  subscribeOutcome,
} from './lib/clients.mjs';
import { trigger } from './lib/http_api.mjs';

// ControlPlane/Publish with extra metadata (lib/grpc.mjs only sends authorization).
function publishWithMetadata(gw, request, extra, app = TEST_APP) {
  const client = controlPlane(gw, { app });
  const metadata = bearer(appToken(app));
  for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
  return new Promise((resolve, reject) => {
    client.raw.Publish(
      { app_id: app.id, ...request },
      metadata,
      { deadline: new Date(Date.now() + 5000) },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
  }).finally(() => client.close());
}

let receiver;
let backend; // realtime.v1.ChannelAuthorizer served by the test
let authorizeCalls = [];
let gw;
let AUTHZ_APP;
let HOOK_APP;
let hooks; // the webhook receiver: {url, requests: [{headers, body}], close()}

// An HTTP webhook receiver on 127.0.0.1 that records every request and answers 200.
async function startWebhookReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function startAuthorizer() {
  const server = new grpc.Server();
  server.addService(realtime.ChannelAuthorizer.service, {
    Authorize(call, callback) {
      authorizeCalls.push({ request: call.request, metadata: call.metadata.getMap() });
      callback(null, { allow: true });
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve({ server, port }),
    );
  });
}

before(async () => {
  receiver = await new OtlpReceiver().start();
  const authorizer = await startAuthorizer();
  backend = authorizer.server;
  AUTHZ_APP = Object.freeze({
    id: 'authz-app',
    key: 'authz-key',
    secret: 'authz-secret',
    authorizer: { target: `127.0.0.1:${authorizer.port}`, timeout_ms: 2000 },
  });
  hooks = await startWebhookReceiver();
  HOOK_APP = Object.freeze({
    id: 'hook-app',
    key: 'hook-key',
    secret: 'hook-secret',
    webhooks: [{ url: hooks.url, event_types: ['channel_occupied'] }],
  });
  gw = await startGateway({
    apps: [TEST_APP, AUTHZ_APP, HOOK_APP],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
      OTEL_SERVICE_NAME: 'gw-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
});

after(async () => {
  disconnectAll();
  closeAllGrpc();
  await gw?.stop();
  receiver?.stop();
  backend?.forceShutdown();
  await hooks?.close();
});

describe('tracing to an OTLP/gRPC collector', () => {
  test('the gateway logs that tracing is on and where it exports', () => {
    const line = gw.logLines.map((l) => JSON.parse(l)).find((e) => e.msg === 'tracing on');
    assert.ok(line, `no "tracing on" line in ${JSON.stringify(gw.logLines.slice(0, 5))}`);
    assert.equal(line.target, `127.0.0.1:${receiver.port}`);
    assert.equal(line.service_name, 'gw-test');
  });

  test('(a) gRPC Publish with traceparent: a SERVER span continues the trace, a publish span is its child', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'orders-grpc');
    const got = collect(channel, 'order.shipped');
    const traceId = newTraceId();
    const parentId = newSpanId();
    await publishWithMetadata(
      gw,
      { channels: ['orders-grpc'], name: 'order.shipped', data: '{"id":1}' },
      { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'vendor=abc' },
    );
    await eventually('the event at the subscriber', () => got.length === 1);

    const server = await receiver.span(
      'the ControlPlane/Publish SERVER span',
      (s) => s.name === 'realtime.v1.ControlPlane/Publish' && hex(s.trace_id) === traceId,
    );
    const { span } = server;
    assert.equal(span.kind, 'SPAN_KIND_SERVER');
    assert.equal(hex(span.parent_span_id), parentId);
    assert.equal(span.trace_state, 'vendor=abc');
    assert.equal(hex(span.span_id).length, 16);
    assert.ok((span.flags & 0x200) !== 0, `flags ${span.flags}: parent should be remote`);
    assert.ok(BigInt(span.start_time_unix_nano) > 0n);
    assert.ok(BigInt(span.end_time_unix_nano) >= BigInt(span.start_time_unix_nano));
    assert.equal(attr(span, 'rpc.system'), 'grpc');
    assert.equal(attr(span, 'rpc.service'), 'realtime.v1.ControlPlane');
    assert.equal(attr(span, 'rpc.method'), 'Publish');
    assert.equal(attr(span, 'rpc.grpc.status_code'), '0');
    assert.equal(attr(span, 'realtime.app_id'), TEST_APP.id);
    assert.equal(attr(server.resource, 'service.name'), 'gw-test');
    assert.ok(attr(server.resource, 'service.instance.id'), 'service.instance.id is set');
    assert.ok(attr(server.resource, 'service.version'), 'service.version is set');

    const { span: publish } = await receiver.span(
      'the publish span',
      (s) => s.name === 'publish public' && hex(s.trace_id) === traceId,
    );
    assert.equal(publish.kind, 'SPAN_KIND_PRODUCER');
    assert.equal(hex(publish.parent_span_id), hex(span.span_id));
    assert.equal(attr(publish, 'messaging.system'), 'pusher');
    assert.equal(attr(publish, 'messaging.operation.name'), 'publish');
    assert.equal(attr(publish, 'messaging.destination.name'), 'public');
    assert.equal(attr(publish, 'messaging.destination.subscriber_count'), '1');
    assert.ok(Number(attr(publish, 'messaging.message.body.size')) > 0);
  });

  test('(a) a refused call is traced with its status code, and is not a server error', async () => {
    const traceId = newTraceId();
    const client = controlPlane(gw, { token: 'wrong' });
    const metadata = bearer('wrong');
    metadata.set('traceparent', `00-${traceId}-${newSpanId()}-01`);
    const code = await new Promise((resolve) => {
      client.raw.GetChannel(
        { app_id: TEST_APP.id, channel: 'x' },
        metadata,
        { deadline: new Date(Date.now() + 5000) },
        (error) => resolve(error?.code),
      );
    });
    client.close();
    assert.equal(code, grpc.status.UNAUTHENTICATED);
    const { span } = await receiver.span(
      'the GetChannel SERVER span',
      (s) => s.name === 'realtime.v1.ControlPlane/GetChannel' && hex(s.trace_id) === traceId,
    );
    assert.equal(attr(span, 'rpc.grpc.status_code'), String(grpc.status.UNAUTHENTICATED));
    assert.notEqual(span.status?.code, 'STATUS_CODE_ERROR');
  });

  test('(b) HTTP API trigger with a traceparent header: a SERVER span, one publish span per channel', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'orders-http');
    const got = collect(channel, 'order.paid');
    const traceId = newTraceId();
    const parentId = newSpanId();
    const response = await trigger(
      gw,
      { name: 'order.paid', channels: ['orders-http', 'presence-lobby'], data: '{"id":2}' },
      { headers: { traceparent: `00-${traceId}-${parentId}-01` } },
    );
    assert.equal(response.status, 200, response.text);
    await eventually('the event at the subscriber', () => got.length === 1);

    const { span } = await receiver.span(
      'the HTTP SERVER span',
      (s) => s.name === 'POST /apps/{app_id}/events' && hex(s.trace_id) === traceId,
    );
    assert.equal(span.kind, 'SPAN_KIND_SERVER');
    assert.equal(hex(span.parent_span_id), parentId);
    assert.equal(attr(span, 'http.request.method'), 'POST');
    assert.equal(attr(span, 'http.route'), '/apps/{app_id}/events');
    assert.equal(attr(span, 'http.response.status_code'), '200');
    assert.equal(attr(span, 'url.path'), `/apps/${TEST_APP.id}/events`);
    assert.equal(attr(span, 'realtime.app_id'), TEST_APP.id);

    const { span: toPublic } = await receiver.span(
      'the publish span of the public channel',
      (s) => s.name === 'publish public' && hex(s.trace_id) === traceId,
    );
    const { span: toPresence } = await receiver.span(
      'the publish span of the presence channel',
      (s) => s.name === 'publish presence-*' && hex(s.trace_id) === traceId,
    );
    for (const publish of [toPublic, toPresence]) {
      assert.equal(publish.kind, 'SPAN_KIND_PRODUCER');
      assert.equal(hex(publish.parent_span_id), hex(span.span_id));
    }
    assert.equal(attr(toPublic, 'messaging.destination.subscriber_count'), '1');
    assert.equal(attr(toPresence, 'messaging.destination.name'), 'presence-*');
    assert.equal(attr(toPresence, 'messaging.destination.subscriber_count'), '0');
  });

  test('(b) a request without traceparent starts a new trace', async () => {
    const before = new Set(receiver.spans.map(({ span }) => hex(span.trace_id)));
    const response = await trigger(gw, { name: 'e', channel: 'untraced-in', data: '{}' });
    assert.equal(response.status, 200, response.text);
    const { span } = await receiver.span(
      'a new root HTTP span',
      (s) =>
        s.name === 'POST /apps/{app_id}/events' &&
        !before.has(hex(s.trace_id)) &&
        hex(s.parent_span_id) === '',
    );
    assert.equal(hex(span.trace_id).length, 32);
  });

  test('(c) the ChannelAuthorizer call carries traceparent naming the exported CLIENT span', async () => {
    authorizeCalls = [];
    const client = await connectedClient(gw, {
      app: AUTHZ_APP,
      authorize: (_params, callback) => callback(null, { auth: '' }),
    });
    const outcome = await subscribeOutcome(client, 'private-traced-doc');
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(authorizeCalls.length, 1);
    const traceparent = authorizeCalls[0].metadata.traceparent;
    assert.match(String(traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, spanId] = String(traceparent).split('-');

    const { span } = await receiver.span(
      'the Authorize CLIENT span',
      (s) => s.name === 'realtime.v1.ChannelAuthorizer/Authorize' && hex(s.trace_id) === traceId,
    );
    assert.equal(hex(span.span_id), spanId);
    assert.equal(span.kind, 'SPAN_KIND_CLIENT');
    assert.equal(attr(span, 'rpc.system'), 'grpc');
    assert.equal(attr(span, 'rpc.service'), 'realtime.v1.ChannelAuthorizer');
    assert.equal(attr(span, 'rpc.method'), 'Authorize');
    assert.equal(attr(span, 'rpc.grpc.status_code'), '0');
    assert.equal(attr(span, 'realtime.app_id'), AUTHZ_APP.id);
    assert.equal(attr(span, 'realtime.channel.template'), 'private-*');
    assert.equal(attr(span, 'realtime.authorization.outcome'), 'allow');
  });

  test('(e) a webhook POST carries traceparent naming the exported CLIENT span', async () => {
    const client = await connectedClient(gw, { app: HOOK_APP });
    await subscribe(client, 'hooked-channel');
    const request = await eventually(
      'the channel_occupied webhook',
      () => hooks.requests.find((r) => r.body.includes('hooked-channel')),
    );
    const traceparent = request.headers.traceparent;
    assert.match(String(traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, spanId] = String(traceparent).split('-');
    const { span } = await receiver.span(
      'the webhook CLIENT span',
      (s) => s.name === 'POST' && hex(s.trace_id) === traceId,
    );
    assert.equal(hex(span.span_id), spanId);
    assert.equal(span.kind, 'SPAN_KIND_CLIENT');
    assert.equal(hex(span.parent_span_id), '');
    assert.equal(attr(span, 'http.request.method'), 'POST');
    assert.equal(attr(span, 'http.response.status_code'), '200');
    assert.equal(attr(span, 'server.address'), '127.0.0.1');
    assert.equal(attr(span, 'realtime.app_id'), HOOK_APP.id);
  });
});

describe('a collector that is down', () => {
  let down;

  after(async () => {
    disconnectAll();
    closeAllGrpc();
    await down?.stop();
  });

  test('(d) publishes are still delivered, export failures are logged, shutdown is bounded', async () => {
    down = await startGateway({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await unusedPort()}`,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_BSP_MAX_QUEUE_SIZE: '32',
      },
    });
    const client = await connectedClient(down);
    const channel = await subscribe(client, 'still-flowing');
    const got = collect(channel, 'tick');
    const api = controlPlane(down);
    const count = 200;
    const started = Date.now();
    for (let i = 0; i < count; i += 1) {
      if (i % 2 === 0) {
        await api.publish({ channels: ['still-flowing'], name: 'tick', data: String(i) });
      } else {
        const response = await trigger(down, { name: 'tick', channel: 'still-flowing', data: String(i) });
        assert.equal(response.status, 200, response.text);
      }
    }
    await eventually(`${count} events at the subscriber`, () => got.length === count, 10000);
    assert.ok(Date.now() - started < 20000, `publishing took ${Date.now() - started} ms`);

    const entries = () => down.logLines.map((l) => JSON.parse(l));
    await eventually(
      'a "trace export failed" warning',
      () => entries().find((e) => e.msg?.startsWith('trace export failed')),
      10000,
    );

    const stopping = Date.now();
    const exit = await down.stop(15000);
    assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}`);
    assert.ok(Date.now() - stopping < 14000, `stopping took ${Date.now() - stopping} ms`);
    // The last lines may still be on their way through the pipe.
    const stopped = await eventually('the "tracing stopped" line', () =>
      entries().find((e) => e.msg === 'tracing stopped'),
    );
    assert.ok(stopped, 'no "tracing stopped" line');
    assert.equal(stopped.spans_exported, 0);
    assert.ok(stopped.export_errors > 0, JSON.stringify(stopped));
    assert.ok(stopped.spans_failed + stopped.spans_dropped > 0, JSON.stringify(stopped));
  });
});
