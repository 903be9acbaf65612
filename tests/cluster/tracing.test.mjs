// Tracing across nodes: a publish traced on the node that took it continues on the node that
// delivers it. Two nodes export to one OTLP collector stand-in; a backend publishes on node 0
// (gRPC with `traceparent` metadata, then the HTTP API with a `traceparent` header) to a
// channel whose only subscriber is on node 1. Node 1 must export a CONSUMER span in the same
// trace whose parent is node 0's PRODUCER publish span, from its own service instance.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connectedClient, eventually, subscribe } from '../conformance/lib/clients.mjs';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { appToken, bearer, controlPlane } from '../conformance/lib/grpc.mjs';
import { trigger } from '../conformance/lib/http_api.mjs';
import { OtlpReceiver, attr, hex, newSpanId, newTraceId } from '../conformance/lib/otlp_receiver.mjs';
import { useCluster } from './lib/cluster.mjs';
import { unique } from './lib/clients.mjs';

let receiver;
const cluster = useCluster(async () => {
  receiver = await new OtlpReceiver().start();
  return {
    count: 2,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
      OTEL_SERVICE_NAME: 'gw-cluster',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  };
});
after(() => receiver?.stop());
const node = (i) => cluster.nodes[i];

// gRPC Publish on `gw` with a traceparent in the metadata.
function tracedPublish(gw, request, traceparent) {
  const client = controlPlane(gw);
  const metadata = bearer(appToken(TEST_APP));
  metadata.set('traceparent', traceparent);
  return new Promise((resolve, reject) => {
    client.raw.Publish(
      { app_id: TEST_APP.id, ...request },
      metadata,
      { deadline: new Date(Date.now() + 5000) },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
  });
}

// The publish span of `traceId` (node 0) and the delivery span under it (node 1).
async function hop(traceId) {
  const publish = await receiver.span(
    'the PRODUCER publish span',
    (s) => s.name === 'publish public' && hex(s.trace_id) === traceId,
  );
  const deliver = await receiver.span(
    'the CONSUMER span on the delivering node',
    (s) => s.kind === 'SPAN_KIND_CONSUMER' && hex(s.trace_id) === traceId,
  );
  assert.equal(publish.span.kind, 'SPAN_KIND_PRODUCER');
  assert.equal(hex(deliver.span.parent_span_id), hex(publish.span.span_id), 'a child of the publish span');
  const instance = (s) => attr(s.resource, 'service.instance.id');
  assert.ok(instance(publish) && instance(deliver));
  assert.notEqual(instance(deliver), instance(publish), 'exported by the other node');
  assert.equal(attr(deliver.resource, 'service.name'), 'gw-cluster');
  assert.equal(attr(deliver.span, 'messaging.system'), 'pusher');
  assert.equal(attr(deliver.span, 'messaging.destination.name'), 'public');
  assert.equal(attr(deliver.span, 'messaging.destination.subscriber_count'), '1');
  return deliver.span;
}

describe('a publish traced on one node continues on the node that delivers it', () => {
  test('gRPC Publish with traceparent metadata', async () => {
    const channel = unique('traced');
    const client = await connectedClient(node(1));
    const got = collect(await subscribe(client, channel), 'ev');
    const traceId = newTraceId();
    await tracedPublish(node(0), { channels: [channel], name: 'ev', data: '{}' }, `00-${traceId}-${newSpanId()}-01`);
    await eventually('the event on node 1', () => got.length === 1);
    await hop(traceId);
  });

  test('HTTP API with a traceparent header', async () => {
    const channel = unique('traced-http');
    const client = await connectedClient(node(1));
    const got = collect(await subscribe(client, channel), 'ev');
    const traceId = newTraceId();
    const answer = await trigger(
      node(0),
      { name: 'ev', channel, data: '{}' },
      { headers: { traceparent: `00-${traceId}-${newSpanId()}-01` } },
    );
    assert.equal(answer.status, 200);
    await eventually('the event on node 1', () => got.length === 1);
    await hop(traceId);
  });

  test('an untraced publish makes no span on the delivering node', async () => {
    const channel = unique('untraced');
    const client = await connectedClient(node(1));
    const got = collect(await subscribe(client, channel), 'ev');
    const consumers = () => receiver.spans.filter(({ span }) => span.kind === 'SPAN_KIND_CONSUMER').length;
    const before = consumers();
    const traceId = newTraceId();
    // Sampled out by the caller (flags 00): parent-based sampling records nothing downstream.
    await tracedPublish(node(0), { channels: [channel], name: 'ev', data: '{}' }, `00-${traceId}-${newSpanId()}-00`);
    await eventually('the event on node 1', () => got.length === 1);
    // A traced publish after it, on the same path: once its spans are in, the untraced one's
    // would be too.
    const fence = newTraceId();
    await tracedPublish(node(0), { channels: [channel], name: 'ev', data: '{}' }, `00-${fence}-${newSpanId()}-01`);
    await eventually('the second event on node 1', () => got.length === 2);
    await hop(fence);
    assert.equal(consumers(), before + 1, 'a delivery span for the traced publish only');
    assert.deepEqual(receiver.spans.filter(({ span }) => hex(span.trace_id) === traceId), []);
  });
});
