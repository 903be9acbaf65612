// Client-side helpers the cluster tests share, on top of ../../conformance/lib/clients.mjs.
import { randomBytes } from 'node:crypto';
import {
  connectedClient,
  eventually,
  receivedFrames,
} from '../../conformance/lib/clients.mjs';
import { waitFor } from '../../conformance/lib/wait.mjs';

export const unique = (prefix) => `${prefix}-${randomBytes(4).toString('hex')}`;

// The data of every `event` frame a pusher-js client (or an Echo's `received`) got on `channel`,
// decoded, in arrival order.
export function dataOf(messages, event, channel) {
  return messages
    .filter((m) => m.event === event && (channel === undefined || m.channel === channel))
    .map((m) => (typeof m.data === 'string' ? JSON.parse(m.data) : m.data));
}

// A pusher-js client on `node` signed in as `user` ({id, watchlist?}), once the gateway confirmed
// the sign-in and its #server-to-user channel (pusher-js subscribes to it after the sign-in).
export async function signedInClient(node, user, options = {}) {
  const client = await connectedClient(node, { user, ...options });
  const success = waitFor('pusher:signin_success', (resolve) =>
    client.bind('pusher:signin_success', resolve),
  );
  client.signin();
  await success;
  await eventually(`#server-to-user-${user.id} subscribed`, () =>
    receivedFrames(client, 'pusher_internal:subscription_succeeded', `#server-to-user-${user.id}`)
      .length === 1,
  );
  return client;
}

// Resolves once an Echo channel's subscription succeeded; rejects on its error.
export function echoSubscribed(echoChannel, what, ms = 5000) {
  return waitFor(
    `Echo subscription to ${what}`,
    (resolve) => {
      echoChannel.subscribed(() => resolve());
      echoChannel.error((error) =>
        resolve(Promise.reject(new Error(`${what}: ${JSON.stringify(error)}`))),
      );
    },
    ms,
  );
}

// Sends pusher:ping on a pusher-js connection and resolves at its pusher:pong. The gateway reads
// a connection's messages in order, so everything sent before the ping has been acted on by then
// (an unsubscribe, say: nothing of that channel is sent after the pong).
export function pingPong(client, ms = 5000) {
  return waitFor(
    'pusher:pong',
    (resolve) => {
      const onMessage = (message) => {
        if (message.event !== 'pusher:pong') return;
        client.connection.unbind('message', onMessage);
        resolve();
      };
      client.connection.bind('message', onMessage);
      client.send_event('pusher:ping', {});
    },
    ms,
  );
}
