// A second-language gRPC client for the gateway's realtime.v1 control plane: @grpc/grpc-js with
// the project's own .proto files loaded by @grpc/proto-loader (nothing generated, nothing shared
// with the C++ side but the contract). Unary calls are promisified; WatchEvents is wrapped in a
// Watcher that records every event and lets a test await one with a deadline. Every client and
// stream made here is tracked so `closeAllGrpc()` in an after hook leaves nothing open.
import { createHmac } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { after, afterEach } from 'node:test';
import { disconnectAll } from './clients.mjs';
import { TEST_APP } from './gateway.mjs';
import { closeAllClients } from './raw_ws.mjs';
import { waitFor } from './wait.mjs';

export { grpc };
export const Status = grpc.status;

const here = dirname(fileURLToPath(import.meta.url));
export const PROTO_ROOT = resolve(here, '../../../proto');

export const LOADER_OPTIONS = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

const packageDefinition = protoLoader.loadSync(
  ['realtime/v1/control.proto', 'realtime/v1/authorizer.proto'],
  { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
);

// The loaded `realtime.v1` package: realtime.ControlPlane, realtime.ChannelAuthorizer (clients
// constructors with `.service` definitions for a server).
export const realtime = grpc.loadPackageDefinition(packageDefinition).realtime.v1;

// The token the gateway derives when an app sets no `grpc_token`: lowercase hex
// HMAC-SHA256(key = app secret, message "realtime.v1").
export function derivedToken(app = TEST_APP) {
  return createHmac('sha256', app.secret).update('realtime.v1').digest('hex');
}

// The token a backend of `app` uses: its configured grpc_token, else the derived one.
export function appToken(app = TEST_APP) {
  return app.grpc_token ?? derivedToken(app);
}

// Metadata with `authorization: Bearer <token>`; `null` token = no authorization at all.
export function bearer(token) {
  const metadata = new grpc.Metadata();
  if (token !== null && token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

const liveClients = new Set();
const liveCalls = new Set();

const UNARY = [
  'Publish',
  'PublishBatch',
  'AuthorizeChannel',
  'AuthenticateUser',
  'GetChannel',
  'ListChannels',
  'ListPresenceMembers',
  'TerminateUserConnections',
  'SendToUser',
];

const lowerFirst = (name) => name[0].toLowerCase() + name.slice(1);

// A ControlPlane client for the gateway `gw` acting for `app`. Every method takes (request,
// options) and fills `app_id` from `app` unless the request sets it. Options per call:
//   token:      a token to send instead of the app's (null = send no authorization metadata)
//   deadlineMs: call deadline (default 5000 ms; every call is bounded)
// Unary methods (camelCase: publish, publishBatch, authorizeChannel, ...) resolve with the
// response object or reject with the grpc-js ServiceError ({code, details}).
// `watchEvents(request, options)` returns a Watcher.
export function controlPlane(gw, { app = TEST_APP, token, target } = {}) {
  const address = target ?? `127.0.0.1:${gw.grpcPort}`;
  const raw = new realtime.ControlPlane(address, grpc.credentials.createInsecure());
  liveClients.add(raw);
  const defaultToken = token === undefined ? appToken(app) : token;
  const metadataFor = (options) =>
    bearer(options.token === undefined ? defaultToken : options.token);
  const withApp = (request) => ({ app_id: app.id, ...request });

  const api = { raw, app, address };
  for (const method of UNARY) {
    api[lowerFirst(method)] = (request = {}, options = {}) =>
      new Promise((resolvePromise, reject) => {
        const deadline = new Date(Date.now() + (options.deadlineMs ?? 5000));
        raw[method](withApp(request), metadataFor(options), { deadline }, (error, response) =>
          error ? reject(error) : resolvePromise(response),
        );
      });
  }
  api.watchEvents = (request = {}, options = {}) =>
    new Watcher(raw.WatchEvents(withApp(request), metadataFor(options)));
  api.close = () => {
    liveClients.delete(raw);
    raw.close();
  };
  return api;
}

// A live WatchEvents stream. `events` holds every ChannelEvent received, in order. `next(match,
// ms)` resolves with the first not-yet-consumed event satisfying `match` (consuming it) or
// rejects after `ms`. `ended` resolves with {code, details} when the stream ends (OK or error).
export class Watcher {
  constructor(call) {
    this.call = call;
    this.events = [];
    this.consumed = new Set();
    this.waiters = [];
    this.endInfo = undefined;
    liveCalls.add(call);
    this.ended = new Promise((resolveEnd) => {
      const finish = (info) => {
        if (this.endInfo) return;
        this.endInfo = info;
        liveCalls.delete(call);
        for (const waiter of this.waiters.splice(0)) waiter.onEnd(info);
        resolveEnd(info);
      };
      call.on('error', (error) => finish({ code: error.code, details: error.details }));
      call.on('status', (status) => {
        if (status.code === Status.OK) finish({ code: Status.OK, details: status.details });
      });
      call.on('end', () => setImmediate(() => finish({ code: Status.OK, details: '' })));
    });
    call.on('data', (event) => {
      this.events.push(event);
      for (const waiter of [...this.waiters]) {
        if (!this.consumed.has(event) && waiter.match(event)) {
          this.consumed.add(event);
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
  }

  // Events so far for which `match` holds (not consuming them).
  all(match = () => true) {
    return this.events.filter(match);
  }

  next(match, what = 'a ChannelEvent', ms = 5000) {
    const found = this.events.find((e) => !this.consumed.has(e) && match(e));
    if (found) {
      this.consumed.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolvePromise, reject) => {
      const waiter = {
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolvePromise(event);
        },
        onEnd: (info) => {
          clearTimeout(timer);
          reject(
            new Error(
              `WatchEvents ended (code ${info.code}: ${info.details}) before ${what}; got ` +
                JSON.stringify(this.events.map(brief)),
            ),
          );
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new Error(
            `timed out after ${ms} ms waiting for ${what} on WatchEvents; got ` +
              JSON.stringify(this.events.map(brief)),
          ),
        );
      }, ms);
      if (this.endInfo) waiter.onEnd(this.endInfo);
      else this.waiters.push(waiter);
    });
  }

  // Awaits the first unconsumed event of `kind` on `channel` (and `where`).
  nextOf(kind, channel, where = () => true, ms = 5000) {
    return this.next(
      (e) => e.kind === kind && e.channel === channel && where(e),
      `${kind} on ${channel}`,
      ms,
    );
  }

  // Awaits the end of the stream (bounded).
  waitEnd(ms = 5000) {
    return waitFor('end of the WatchEvents stream', (done) => this.ended.then(done), ms);
  }

  cancel() {
    liveCalls.delete(this.call);
    try {
      this.call.cancel();
    } catch {
      // already over
    }
  }
}

// A short, readable form of a ChannelEvent for failure messages.
export function brief(e) {
  return `${e.kind} ${e.channel}${e.user_id ? ` user=${e.user_id}` : ''}${e.event ? ` event=${e.event}` : ''}`;
}

// Makes sure the stream is registered on the server before a test acts: `probe(i)` causes an
// event the watcher's filters let through and resolves with the channel it happened on; the
// probe is repeated until such an event arrives (bounded by `attempts`).
export async function syncWatcher(watcher, probe, { attempts = 20, perAttemptMs = 500 } = {}) {
  for (let i = 0; i < attempts; i += 1) {
    const channel = await probe(i);
    try {
      await watcher.next((e) => e.channel === channel, `probe event on ${channel}`, perAttemptMs);
      return channel;
    } catch (error) {
      if (watcher.endInfo) throw error;
    }
  }
  throw new Error(`WatchEvents delivered no probe event after ${attempts} attempts`);
}

// The gRPC status a call failed with: resolves {code, details, name}; throws if it succeeded.
export async function failure(promiseOrFn) {
  let response;
  try {
    response = await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    if (typeof error?.code !== 'number') throw error;
    return { code: error.code, details: error.details ?? '', name: codeName(error.code) };
  }
  throw new Error(`expected the call to fail, it answered ${JSON.stringify(response)}`);
}

// "UNAUTHENTICATED" for 16, etc.
export function codeName(code) {
  return Object.keys(Status).find((k) => Status[k] === code) ?? String(code);
}

// Fails unless the call failed with exactly `code`; resolves with its details.
export async function expectCode(promiseOrFn, code) {
  const got = await failure(promiseOrFn);
  if (got.code !== code) {
    throw new Error(
      `expected ${codeName(code)}, got ${got.name} (${JSON.stringify(got.details)})`,
    );
  }
  return got.details;
}

// Resolves once the gateway serves ControlPlane for `app` (ListChannels answers OK), bounded.
export async function untilControlPlaneServes(gw, app = TEST_APP, ms = 5000) {
  const client = controlPlane(gw, { app });
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      try {
        return await client.listChannels({}, { deadlineMs: 1000 });
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    client.close();
  }
}

// Cancels every watch stream and closes every ControlPlane client made here.
export function closeAllGrpc() {
  for (const call of [...liveCalls]) {
    try {
      call.cancel();
    } catch {
      // already over
    }
  }
  liveCalls.clear();
  for (const client of [...liveClients]) client.close();
  liveClients.clear();
}

// The hooks every gRPC test file needs: after each test, close its pusher-js and raw WebSocket
// clients; after all, also the gRPC clients and streams, then stop the gateway `gateway()` returns.
export function closeEverythingAfterTests(gateway) {
  afterEach(() => {
    disconnectAll();
    closeAllClients();
  });
  after(async () => {
    disconnectAll();
    closeAllClients();
    closeAllGrpc();
    await gateway()?.stop();
  });
}
