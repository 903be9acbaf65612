// The chat demo's backend: what a Laravel app's controllers and broadcasting do, on the gateway's
// gRPC control plane (realtime.v1) instead of the Pusher HTTP API. It signs users in, authorizes
// the room's presence channel, publishes messages to the room, and sends read receipts and direct
// messages to one user's #server-to-user channel. It also serves the page and pusher-js's web
// build. State (users, the last messages) lives in memory: this is a demo.
//
//   clients/chat/start            (or: cd clients/chat && npm ci && node server.mjs)
//
// Environment (defaults fit the demo app of `.ci/start` on this machine):
//   CHAT_HOST, CHAT_PORT      where the page is served          (127.0.0.1, 8080; 0 = any free)
//   REALTIME_TARGET           the gateway's gRPC address        (127.0.0.1:50051)
//   REALTIME_WS_HOST          the gateway's host for browsers   (the host the page was loaded from)
//   REALTIME_WS_PORT          its WebSocket port                (6001)
//   REALTIME_APP_ID, REALTIME_APP_KEY                           (app-id, app-key)
//   REALTIME_TOKEN            the app's grpc_token, or else
//   REALTIME_SECRET           the app secret it is derived from (app-secret)
import { createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const settings = {
  host: env.CHAT_HOST || '127.0.0.1',
  port: Number(env.CHAT_PORT ?? 8080),
  target: env.REALTIME_TARGET || '127.0.0.1:50051',
  wsHost: env.REALTIME_WS_HOST || '',
  wsPort: Number(env.REALTIME_WS_PORT || 6001),
  appId: env.REALTIME_APP_ID || 'app-id',
  appKey: env.REALTIME_APP_KEY || 'app-key',
};
// Without a configured grpc_token, an app's token is hex HMAC-SHA256(secret, "realtime.v1").
const token =
  env.REALTIME_TOKEN ||
  createHmac('sha256', env.REALTIME_SECRET || 'app-secret').update('realtime.v1').digest('hex');

const ROOM = 'presence-room.lobby';
const MAX_MESSAGES = 100;
const MAX_TEXT = 2000;

// --- The gateway's control plane ------------------------------------------------------------

const definition = protoLoader.loadSync(resolve(here, '../../proto/realtime/v1/control.proto'), {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
});
const { realtime } = grpc.loadPackageDefinition(definition);
const controlPlane = new realtime.v1.ControlPlane(settings.target, grpc.credentials.createInsecure());

function call(method, request) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((done, fail) => {
    controlPlane[method]({ app_id: settings.appId, ...request }, metadata,
                         { deadline: Date.now() + 5000 },
                         (error, response) => (error ? fail(error) : done(response)));
  });
}

// --- Users and messages (in memory) -----------------------------------------------------------

const sessions = new Map(); // token -> {id, name, color}
const messages = []; // the room's last MAX_MESSAGES, oldest first
let nextMessage = 1;
const COLORS = ['#3a6df0', '#1f9d66', '#c2410c', '#8b45c4', '#0f8a9b', '#be185d', '#4d7c0f'];

function userIdOf(name) {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
}

function sessionOf(request) {
  const header = request.headers.authorization || '';
  return header.startsWith('Bearer ') ? sessions.get(header.slice(7)) : undefined;
}

// --- HTTP -------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const pusherWebBuild = resolve(dirname(require.resolve('pusher-js/package.json')), 'dist/web/pusher.min.js');
const STATIC = {
  '/': ['public/index.html', 'text/html; charset=utf-8'],
  '/chat.js': ['public/chat.js', 'text/javascript; charset=utf-8'],
  '/chat.css': ['public/chat.css', 'text/css; charset=utf-8'],
};

function send(response, status, body, type = 'application/json') {
  const text = type === 'application/json' ? JSON.stringify(body) : body;
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(text);
}

async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > 64 * 1024) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if ((request.headers['content-type'] || '').startsWith('application/json')) {
    return text ? JSON.parse(text) : {};
  }
  return Object.fromEntries(new URLSearchParams(text)); // pusher-js posts forms
}

const routes = {
  // Pusher-js's settings for this gateway; the host is the one the page was loaded from unless
  // REALTIME_WS_HOST says otherwise.
  'GET /config': (request) => ({
    key: settings.appKey,
    wsHost: settings.wsHost || (request.headers.host || '127.0.0.1').replace(/:\d+$/, ''),
    wsPort: settings.wsPort,
    room: ROOM,
  }),

  'POST /login': (request, body) => {
    const name = String(body.name || '').trim().slice(0, 40);
    const id = userIdOf(name);
    if (!id) throw Object.assign(new Error('choose a name with letters or digits'), { status: 400 });
    const user = { id, name, color: COLORS[sessions.size % COLORS.length] };
    const secret = randomBytes(16).toString('hex');
    sessions.set(secret, user);
    return { user, token: secret };
  },

  // pusher.signin(): the gateway then knows who this socket is, and lets it join its
  // #server-to-user channel (read receipts and direct messages arrive there).
  'POST /pusher/user-auth': async (request, body, user) =>
    call('AuthenticateUser', {
      socket_id: body.socket_id,
      user_id: user.id,
      user_info_json: JSON.stringify({ name: user.name, color: user.color }),
    }),

  // The room is a presence channel: the gateway keeps who is online, this signs who you are.
  'POST /pusher/auth': async (request, body, user) => {
    if (body.channel_name !== ROOM) {
      throw Object.assign(new Error('only the lobby is open'), { status: 403 });
    }
    return call('AuthorizeChannel', {
      socket_id: body.socket_id,
      channel: body.channel_name,
      user_id: user.id,
      user_info_json: JSON.stringify({ name: user.name, color: user.color }),
    });
  },

  'GET /messages': () => ({ messages }),

  // A message is stored, then published to the room: what a Laravel app's MessageSent event
  // does with ShouldBroadcast. socket_id leaves the sender's own socket out, as Echo's
  // X-Socket-ID does (the sender shows its message from this answer).
  'POST /messages': async (request, body, user) => {
    const text = String(body.text || '').trim().slice(0, MAX_TEXT);
    if (!text) throw Object.assign(new Error('empty message'), { status: 400 });
    const message = { id: nextMessage++, user: { id: user.id, name: user.name, color: user.color },
                      text, time_ms: Date.now() };
    messages.push(message);
    if (messages.length > MAX_MESSAGES) messages.shift();
    await call('Publish', { channels: [ROOM], name: 'message.sent', data: JSON.stringify(message),
                            socket_id: body.socket_id || '' });
    return { message };
  },

  // A read receipt goes to the author of the message only.
  'POST /read': async (request, body, user) => {
    const message = messages.find((m) => m.id === Number(body.message_id));
    if (!message) throw Object.assign(new Error('no such message'), { status: 404 });
    if (message.user.id !== user.id) {
      await call('SendToUser', { user_id: message.user.id, name: 'message.read',
                                 data: JSON.stringify({ message_id: message.id,
                                                        reader: { id: user.id, name: user.name } }) });
    }
    return { ok: true };
  },

  // A direct message reaches every tab of the recipient, and the sender's other tabs.
  'POST /direct': async (request, body, user) => {
    const to = userIdOf(String(body.to || ''));
    const text = String(body.text || '').trim().slice(0, MAX_TEXT);
    if (!to || !text) throw Object.assign(new Error('to and text are required'), { status: 400 });
    const direct = { from: { id: user.id, name: user.name, color: user.color }, to, text,
                     time_ms: Date.now() };
    const data = JSON.stringify(direct);
    await call('SendToUser', { user_id: to, name: 'direct.message', data });
    if (to !== user.id) await call('SendToUser', { user_id: user.id, name: 'direct.message', data });
    return { direct };
  },
};

const server = http.createServer(async (request, response) => {
  const path = new URL(request.url, 'http://chat').pathname;
  try {
    if (request.method === 'GET' && STATIC[path]) {
      const [file, type] = STATIC[path];
      return send(response, 200, await readFile(resolve(here, file)), type);
    }
    if (request.method === 'GET' && path === '/pusher.min.js') {
      return send(response, 200, await readFile(pusherWebBuild), 'text/javascript; charset=utf-8');
    }
    const route = routes[`${request.method} ${path}`];
    if (!route) return send(response, 404, { error: 'not found' });
    const open = path === '/config' || path === '/login';
    const user = sessionOf(request);
    if (!open && !user) return send(response, 401, { error: 'log in first' });
    const body = request.method === 'POST' ? await readBody(request) : {};
    return send(response, 200, await route(request, body, user));
  } catch (error) {
    // gRPC errors carry the gateway's reason in `details`.
    const status = error.status || (error.code !== undefined ? 502 : 500);
    return send(response, status, { error: error.details || error.message });
  }
});

server.listen(settings.port, settings.host, () => {
  const { port } = server.address();
  console.log(`chat: open http://${settings.host}:${port}/ in two browser windows ` +
              `(gateway gRPC ${settings.target}, WebSocket port ${settings.wsPort}, app ${settings.appId})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    controlPlane.close();
    process.exit(0);
  });
}
