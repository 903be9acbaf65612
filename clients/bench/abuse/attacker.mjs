// What the abuse scripts share: `ws` (from tests/conformance/node_modules), their --flags, the
// WebSocket URL of the app they attack, and a presence subscribe signed as an auth endpoint would.
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../../../tests/conformance/package.json'));
export const WebSocket = require('ws');

// --name value pairs of the command line.
export const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
export const key = args.key ?? 'app-key';
export const secret = args.secret ?? 'app-secret';
export const url = `ws://127.0.0.1:${Number(args.port ?? 6001)}/app/${key}?protocol=7&client=js&version=8.4.0`;

// A pusher:subscribe of `channel` as presence member `userId`, for the socket `socketId`.
export function presenceSubscribe(socketId, channel, userId) {
  const channelData = JSON.stringify({ user_id: userId, user_info: {} });
  const signed = `${socketId}:${channel}:${channelData}`;
  const auth = `${key}:${createHmac('sha256', secret).update(signed).digest('hex')}`;
  return JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth, channel_data: channelData } });
}
