// The web server a browser test loads its page from, on 127.0.0.1 and a free port, standing in
// for the application (Laravel, say) that serves the page and signs channel subscriptions:
//   GET  /                  the harness page (page/index.html: pusher-js plus page/harness.js)
//   GET  /pusher.min.js     pusher-js's web build (pusher-js/dist/web/pusher.min.js)
//   GET  /harness.js        the in-page helpers (window.rt)
//   POST /pusher/auth       channel authorization, as pusher-js's default endpoint expects it
//   POST /pusher/user-auth  user authentication for pusher:signin
//   GET  <prefix>...        files under a directory, for each `static` entry
// Authorization signs with the app's secret through the `pusher` server SDK, the same code a
// backend uses. A presence subscription's user is the `user_id` (and optional `user_name`)
// parameter the page adds through pusher-js's `channelAuthorization.params`.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import PusherServer from 'pusher';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const PUSHER_WEB_BUILD = resolve(
  dirname(require.resolve('pusher-js/package.json')),
  'dist/web/pusher.min.js',
);
const PAGE_DIR = resolve(here, '../page');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function sendFile(res, path) {
  if (!existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(path).pipe(res);
}

function readForm(req, limit = 16 * 1024) {
  return new Promise((resolveBody, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > limit) reject(new Error('request body too large'));
    });
    req.on('end', () => resolveBody(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

// Starts the server for `app` ({id, key, secret}) whose gateway listens on `gatewayPort`.
// `static` maps URL prefixes ("/dashboard/") to directories. Resolves to
// { url, port, authRequests, close() }; authRequests lists what was signed, for assertions.
export async function startPageServer({ app, gatewayPort, static: staticDirs = {} }) {
  const sdk = new PusherServer({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(gatewayPort),
    useTLS: false,
  });
  const authRequests = [];
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
        return sendFile(res, join(PAGE_DIR, 'index.html'));
      }
      if (req.method === 'GET' && url.pathname === '/harness.js') {
        return sendFile(res, join(PAGE_DIR, 'harness.js'));
      }
      if (req.method === 'GET' && url.pathname === '/pusher.min.js') {
        return sendFile(res, PUSHER_WEB_BUILD);
      }
      if (req.method === 'POST' && url.pathname === '/pusher/auth') {
        const form = await readForm(req);
        const socketId = form.get('socket_id');
        const channel = form.get('channel_name');
        authRequests.push({ socketId, channel });
        let signed;
        if (channel.startsWith('presence-')) {
          const userId = form.get('user_id') ?? `user-${socketId}`;
          signed = sdk.authorizeChannel(socketId, channel, {
            user_id: userId,
            user_info: { name: form.get('user_name') ?? userId },
          });
        } else {
          signed = sdk.authorizeChannel(socketId, channel);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(signed));
      }
      if (req.method === 'POST' && url.pathname === '/pusher/user-auth') {
        const form = await readForm(req);
        const socketId = form.get('socket_id');
        const userId = form.get('user_id') ?? `user-${socketId}`;
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(sdk.authenticateUser(socketId, { id: userId })));
      }
      for (const [prefix, dir] of Object.entries(staticDirs)) {
        if (req.method === 'GET' && url.pathname.startsWith(prefix)) {
          const root = resolve(dir);
          const path = normalize(join(root, url.pathname.slice(prefix.length) || 'index.html'));
          if (!path.startsWith(root)) return res.writeHead(403).end('forbidden');
          return sendFile(res, path);
        }
      }
      res.writeHead(404).end('not found');
    } catch (error) {
      res.writeHead(500).end(String(error?.message ?? error));
    }
  });
  await new Promise((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    authRequests,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections?.();
        server.close(() => resolveClose());
      }),
  };
}
