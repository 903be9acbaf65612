// An OTLP/gRPC trace collector stand-in (grpc-js serving
// opentelemetry.proto.collector.trace.v1.TraceService/Export, loaded from the project's
// proto/opentelemetry/... files), and helpers to read the spans it received.
import { randomBytes } from 'node:crypto';
import protoLoader from '@grpc/proto-loader';
import { eventually } from './clients.mjs';
import { grpc, LOADER_OPTIONS, PROTO_ROOT } from './grpc.mjs';

const otlp = grpc.loadPackageDefinition(
  protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
    ...LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  }),
).opentelemetry.proto.collector.trace.v1;

export const hex = (bytes) => Buffer.from(bytes ?? []).toString('hex');
export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');

// The value of attribute `key` of a span or resource (strings for int64, as LOADER_OPTIONS asks).
export function attr(owner, key) {
  const kv = (owner?.attributes ?? []).find((a) => a.key === key);
  if (!kv) return undefined;
  return kv.value[kv.value.value];
}

// An OTLP/gRPC trace receiver: every exported span with its resource, in arrival order.
export class OtlpReceiver {
  constructor() {
    this.spans = []; // {span, resource, scope}
    this.exports = 0;
    this.server = new grpc.Server();
    this.server.addService(otlp.TraceService.service, {
      Export: (call, callback) => {
        this.exports += 1;
        for (const rs of call.request.resource_spans) {
          for (const ss of rs.scope_spans) {
            for (const span of ss.spans) this.spans.push({ span, resource: rs.resource, scope: ss.scope });
          }
        }
        callback(null, {});
      },
    });
  }

  start() {
    return new Promise((resolve, reject) => {
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
        if (error) return reject(error);
        this.port = port;
        return resolve(this);
      });
    });
  }

  stop() {
    this.server.forceShutdown();
  }

  // The first exported span for which `match(span)` holds, waiting (bounded) for it.
  async span(what, match, ms = 8000) {
    try {
      return await eventually(what, () => this.spans.find(({ span }) => match(span)), ms);
    } catch (error) {
      const seen = this.spans.map(({ span }) => `${span.name} ${hex(span.trace_id)}`);
      throw new Error(`${error.message}; exported so far: ${JSON.stringify(seen)}`);
    }
  }
}
