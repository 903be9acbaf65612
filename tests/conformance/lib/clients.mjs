// Real third-party clients wired to one running gateway: pusher-js (the browser/Node client),
// the `pusher` HTTP SDK (what Laravel's broadcaster speaks; also signs channel and user auth) and
// laravel-echo on top of pusher-js. Every client made here is tracked so a test file can
// disconnect all of them in `afterEach` / `after` and leave no socket or timer behind.
import Pusher from 'pusher-js';
import PusherServer from 'pusher';
import { TEST_APP } from './gateway.mjs';
import { waitFor } from './wait.mjs';

export { Pusher, PusherServer };

// When the server closes a connection with a 4001-4099 code, pusher-js ("refused") calls close()
// on its already-closed faye-websocket client, which arms a 30 s close timer that nothing clears.
// It would keep a test file's process alive for 30 s after its last test; unref it instead.
if (!Pusher.Runtime.createWebSocket.__unrefsCloseTimer) {
  const createWebSocket = Pusher.Runtime.createWebSocket.bind(Pusher.Runtime);
  const patched = (url) => {
    const socket = createWebSocket(url);
    const close = socket.close;
    socket.close = function closeWithoutHoldingTheProcess(...args) {
      const result = close.apply(this, args);
      this._closeTimer?.unref?.();
      return result;
    };
    return socket;
  };
  patched.__unrefsCloseTimer = true;
  Pusher.Runtime.createWebSocket = patched;
}

const liveClients = new Set();
const liveEchos = new Set();

// A `pusher` SDK instance talking to `gw` as `app`. `options` adds SDK options
// (e.g. encryptionMasterKeyBase64) or overrides identity (appId, secret) for negative tests.
export function serverSdk(gw, app = TEST_APP, options = {}) {
  return new PusherServer({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(gw.port),
    useTLS: false,
    ...options,
  });
}

// The channelAuthorization.customHandler a Laravel/Pusher app would run server side, done in
// process with the SDK. `presenceData(channelName)` gives {user_id, user_info} for presence-
// channels; it is never passed for other channels (the SDK would sign channel_data into a
// private channel's signature).
export function sdkChannelAuthorizer(sdk, presenceData) {
  return ({ socketId, channelName }, callback) => {
    try {
      const data =
        channelName.startsWith('presence-') && presenceData
          ? typeof presenceData === 'function'
            ? presenceData(channelName)
            : presenceData
          : undefined;
      callback(null, sdk.authorizeChannel(socketId, channelName, data));
    } catch (error) {
      callback(error, null);
    }
  };
}

// A customHandler that returns a well-formed but wrong signature for every channel.
export function forgedChannelAuthorizer(app = TEST_APP) {
  return (_params, callback) => callback(null, { auth: `${app.key}:${'a'.repeat(64)}` });
}

// Options pusher-js needs to reach the local gateway over plain ws.
export function pusherJsOptions(gw) {
  return {
    wsHost: '127.0.0.1',
    wsPort: gw.port,
    wssPort: gw.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    cluster: 'mt1',
    disableStats: true,
  };
}

// A pusher-js client for `app`. It connects at once. Extras on the returned client:
//   received: every message the connection delivered (decoded, in order; handshake excluded)
//   errors:   every pusher:error (`{type, data: {code, message}}`) seen on the connection
// `authorize` replaces the channel authorizer; `user` ({id, user_info?, watchlist?}) is what
// `client.signin()` authenticates as.
export function createPusherClient(
  gw,
  { app = TEST_APP, sdk, presenceData, authorize, user, options = {} } = {},
) {
  const signer = sdk ?? serverSdk(gw, app);
  const client = new Pusher(app.key, {
    ...pusherJsOptions(gw),
    channelAuthorization: {
      customHandler: authorize ?? sdkChannelAuthorizer(signer, presenceData),
    },
    userAuthentication: {
      customHandler: ({ socketId }, callback) => {
        try {
          callback(null, signer.authenticateUser(socketId, user ?? { id: 'anonymous' }));
        } catch (error) {
          callback(error, null);
        }
      },
    },
    ...options,
  });
  client.received = [];
  client.errors = [];
  client.connection.bind('message', (message) => client.received.push(message));
  client.connection.bind('error', (error) => client.errors.push(error));
  liveClients.add(client);
  return client;
}

export function waitConnected(client, ms = 5000) {
  return waitFor(
    'pusher-js connection state "connected"',
    (resolve) => {
      if (client.connection.state === 'connected') return resolve(client);
      const onChange = ({ current }) => {
        if (current === 'connected') {
          client.connection.unbind('state_change', onChange);
          resolve(client);
        }
      };
      client.connection.bind('state_change', onChange);
    },
    ms,
  );
}

// createPusherClient + wait for pusher:connection_established.
export async function connectedClient(gw, opts) {
  return waitConnected(createPusherClient(gw, opts));
}

// Resolves with the first of subscription_succeeded / subscription_error on `name`:
// {ok: true, channel, data} or {ok: false, channel, error}.
export function subscribeOutcome(client, name, ms = 5000) {
  // Outside waitFor's callback: pusher-js throws for names it refuses (e.g. "#..."), and a
  // throw in there would reject without clearing waitFor's timer.
  const channel = client.subscribe(name);
  return waitFor(
    `subscription outcome for ${name}`,
    (resolve) => {
      channel.bind('pusher:subscription_succeeded', (data) => resolve({ ok: true, channel, data }));
      channel.bind('pusher:subscription_error', (error) => resolve({ ok: false, channel, error }));
    },
    ms,
  );
}

// Subscribes and resolves with the channel once subscription_succeeded arrived; rejects with
// the subscription error otherwise.
export async function subscribe(client, name, ms = 5000) {
  const outcome = await subscribeOutcome(client, name, ms);
  if (!outcome.ok) {
    throw new Error(`subscription to ${name} failed: ${JSON.stringify(outcome.error)}`);
  }
  return outcome.channel;
}

// Records every `eventName` on `channel` as {data, metadata}; returns the live array.
export function collect(channel, eventName) {
  const got = [];
  channel.bind(eventName, (data, metadata) => got.push({ data, metadata }));
  return got;
}

// Raw messages a client received for `event` (and `channel` when given).
export function receivedFrames(client, event, channel) {
  return client.received.filter(
    (m) => m.event === event && (channel === undefined || m.channel === channel),
  );
}

// Polls `predicate` every 10 ms until it returns a truthy value (resolved with it) or `ms`
// elapses (rejects). Never leaves a timer behind.
export async function eventually(what, predicate, ms = 5000) {
  let interval;
  try {
    return await waitFor(
      what,
      (resolve) => {
        const check = () => {
          const value = predicate();
          if (value) resolve(value);
        };
        interval = setInterval(check, 10);
        check();
      },
      ms,
    );
  } finally {
    clearInterval(interval);
  }
}

// The first pusher:error with `code` on the client's connection.
export function connectionError(client, code, ms = 5000) {
  return eventually(
    `pusher:error ${code} on the connection`,
    () => client.errors.find((e) => e?.data?.code === code),
    ms,
  );
}

export function disconnectClient(client) {
  liveClients.delete(client);
  try {
    client.disconnect();
  } catch {
    // already gone
  }
}

// Waits until the client's socket is really closed (the server then sees the close promptly).
export async function disconnectAndWait(client, ms = 5000) {
  disconnectClient(client);
  await eventually('pusher-js state "disconnected"', () => client.connection.state === 'disconnected', ms);
}

// laravel-echo (ESM only) with the pusher-js Node build. `broadcaster` 'pusher' or 'reverb'.
// `useAuthorizerOption` authorizes through Echo's/pusher-js's legacy `authorizer` option instead
// of `channelAuthorization.customHandler`.
export async function createEcho(
  gw,
  {
    broadcaster = 'pusher',
    app = TEST_APP,
    sdk,
    presenceData,
    authorize,
    useAuthorizerOption = false,
    options = {},
  } = {},
) {
  const { default: Echo } = await import('laravel-echo');
  const signer = sdk ?? serverSdk(gw, app);
  const customHandler = authorize ?? sdkChannelAuthorizer(signer, presenceData);
  const echoOptions = {
    broadcaster,
    key: app.key,
    Pusher,
    wsHost: '127.0.0.1',
    wsPort: gw.port,
    wssPort: gw.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    ...(broadcaster === 'pusher' ? { cluster: 'mt1' } : {}),
    ...options,
  };
  if (useAuthorizerOption) {
    echoOptions.authorizer = (channel) => ({
      authorize: (socketId, callback) => customHandler({ socketId, channelName: channel.name }, callback),
    });
  } else {
    echoOptions.channelAuthorization = { customHandler };
  }
  const echo = new Echo(echoOptions);
  echo.received = [];
  echo.connector.pusher.connection.bind('message', (message) => echo.received.push(message));
  liveEchos.add(echo);
  return echo;
}

export function waitEchoConnected(echo, ms = 5000) {
  return waitConnected(echo.connector.pusher, ms).then(() => echo);
}

export function disconnectEcho(echo) {
  liveEchos.delete(echo);
  try {
    echo.disconnect();
  } catch {
    // already gone
  }
}

// Disconnects every pusher-js client and Echo instance made through this module.
export function disconnectAll() {
  for (const client of [...liveClients]) disconnectClient(client);
  for (const echo of [...liveEchos]) disconnectEcho(echo);
}

// A response body of the SDK (node-fetch Response) as JSON.
export async function jsonOf(responsePromise) {
  const response = await responsePromise;
  return response.json();
}

// The HTTP status an SDK call failed with (RequestError.status); throws if it succeeded.
export async function failureStatus(promiseOrFn) {
  try {
    const promise = typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn;
    const response = await promise;
    throw new Error(`expected the request to fail, it answered ${response.status}`);
  } catch (error) {
    if (error?.name !== 'PusherRequestError') throw error;
    if (error.status === undefined) throw new Error(`request failed without a status: ${error.error}`);
    return { status: error.status, body: error.body };
  }
}

// Polls GET /channels/{name} through the SDK until `occupied` equals `want` (the server has
// processed a subscribe/unsubscribe/close sent on another socket). Bounded by `ms`.
export async function untilOccupied(sdk, name, want, ms = 5000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    const res = await sdk.get({ path: `/channels/${encodeURIComponent(name)}` });
    last = await res.json();
    if (last.occupied === want) return last;
    if (Date.now() > deadline) {
      throw new Error(`channel ${name} occupied=${last.occupied} after ${ms} ms, wanted ${want}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
