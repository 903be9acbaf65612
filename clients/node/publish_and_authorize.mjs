// A backend's two everyday calls to realtime-gateway over its gRPC control plane (realtime.v1):
// publish an event, and answer a browser's channel-auth request for a private channel.
//
//   cd clients/node && npm install && node publish_and_authorize.mjs [SOCKET_ID]
//
// Environment (defaults fit the demo app of `.ci/start`):
//   REALTIME_TARGET  gateway gRPC address            (127.0.0.1:50051)
//   REALTIME_APP_ID  app id                           (app-id)
//   REALTIME_TOKEN   the app's grpc_token, or else
//   REALTIME_SECRET  the app secret it is derived from (app-secret)
import { createHmac } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = dirname(fileURLToPath(import.meta.url));
const target = process.env.REALTIME_TARGET ?? '127.0.0.1:50051';
const appId = process.env.REALTIME_APP_ID ?? 'app-id';
// Without a configured grpc_token, an app's token is hex HMAC-SHA256(secret, "realtime.v1").
const token =
  process.env.REALTIME_TOKEN ??
  createHmac('sha256', process.env.REALTIME_SECRET ?? 'app-secret')
    .update('realtime.v1')
    .digest('hex');

const definition = protoLoader.loadSync(resolve(here, '../../proto/realtime/v1/control.proto'), {
  keepCase: true, // snake_case field names, as in the .proto
  longs: String,
  enums: String,
  defaults: true,
});
const { realtime } = grpc.loadPackageDefinition(definition);
const controlPlane = new realtime.v1.ControlPlane(target, grpc.credentials.createInsecure());

// Every call carries the bearer token and a deadline; app_id is filled in.
function call(method, request) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolvePromise, reject) => {
    controlPlane[method](
      { app_id: appId, ...request },
      metadata,
      { deadline: Date.now() + 5000 },
      (error, response) => (error ? reject(error) : resolvePromise(response)),
    );
  });
}

try {
  // 1. Publish: what Laravel's broadcaster or a Pusher SDK's trigger() does over HTTP.
  const published = await call('Publish', {
    channels: ['orders'],
    name: 'order.shipped',
    data: JSON.stringify({ id: 42 }),
    include_channel_info: true,
  });
  console.log(`published order.shipped to orders: ${JSON.stringify(published.channels)}`);

  // 2. Authorize: a browser's pusher-js asks your backend to sign its subscription, sending its
  // socket_id and channel_name; your backend checks the user may listen and answers with this.
  const socketId = process.argv[2] ?? '1234.5678';
  const authorized = await call('AuthorizeChannel', { socket_id: socketId, channel: 'private-orders' });
  // The body a Pusher channel-auth endpoint returns (empty fields left out).
  const body = { auth: authorized.auth };
  if (authorized.channel_data) body.channel_data = authorized.channel_data;
  console.log(`auth response for ${socketId} on private-orders: ${JSON.stringify(body)}`);
} catch (error) {
  console.error(`error: ${grpc.status[error.code] ?? error.code}: ${error.details ?? error.message}`);
  process.exitCode = 1;
} finally {
  controlPlane.close();
}
