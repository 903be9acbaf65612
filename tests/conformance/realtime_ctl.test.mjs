// The realtime-ctl binary (clients/ctl, over the C++ client library) against the real gateway,
// with pusher-js as the browser: what it publishes arrives, what it reports is what pusher-js
// clients made, what `authorize --json` / `authenticate --json` print is accepted by pusher-js as
// an auth endpoint's body, `watch` prints one JSON line per event, and its errors and exit codes
// are the documented ones. REALTIME_CTL_BIN overrides the binary's path.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startGateway, TEST_APP } from './lib/gateway.mjs';
import { waitFor } from './lib/wait.mjs';
import {
  collect,
  connectedClient,
  disconnectAll,
  eventually,
  receivedFrames,
  subscribe,
  subscribeOutcome,
} from './lib/clients.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CTL_BIN = process.env.REALTIME_CTL_BIN ?? resolve(here, '../../build/clients/ctl/realtime-ctl');

const OTHER_APP = Object.freeze({ id: 'ctl-other', key: 'ctl-other-key', secret: 'ctl-other-secret' });

let gw;
let target;
const running = new Set();

before(async () => {
  try {
    accessSync(CTL_BIN, constants.X_OK);
  } catch {
    throw new Error(`realtime-ctl not found at ${CTL_BIN}: build the realtime-ctl target or set REALTIME_CTL_BIN`);
  }
  gw = await startGateway({ apps: [TEST_APP, OTHER_APP] });
  target = `127.0.0.1:${gw.grpcPort}`;
});

afterEach(() => disconnectAll());

after(async () => {
  disconnectAll();
  for (const proc of running) proc.kill('SIGKILL');
  await gw?.stop();
});

// Flags that point realtime-ctl at the test gateway as TEST_APP (token derived from the secret).
const asTestApp = () => ['--target', target, '--app-id', TEST_APP.id, '--secret', TEST_APP.secret];

// Starts realtime-ctl with only PATH (plus `env`) in its environment, so no REALTIME_* variable
// of the caller leaks in. The process is tracked and killed in `after` if still running.
function spawnCtl(args, { credentials = asTestApp(), env = {} } = {}) {
  const proc = spawn(CTL_BIN, [...credentials, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.exited = new Promise((resolveExit) =>
    proc.on('close', (code, signal) => {
      running.delete(proc);
      resolveExit({ code, signal });
    }),
  );
  return proc;
}

// Runs realtime-ctl to completion (bounded): {code, signal, stdout, stderr}.
async function ctl(args, options = {}) {
  const proc = spawnCtl(args, options);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk) => (stdout += chunk));
  proc.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
  const { code, signal } = await proc.exited;
  clearTimeout(timer);
  return { code, signal, stdout, stderr, args };
}

// Fails unless realtime-ctl exited 0 with nothing on stderr; returns the result.
function ok(result) {
  assert.equal(
    result.code,
    0,
    `realtime-ctl ${result.args.join(' ')} exited ${result.code ?? result.signal}: ${result.stderr}`,
  );
  assert.equal(result.stderr, '');
  return result;
}

const json = (result) => JSON.parse(ok(result).stdout);

// A pusher-js channelAuthorization.customHandler that runs `realtime-ctl authorize --json` and
// hands pusher-js exactly what it printed. `extra(channelName)` adds flags (presence user).
function ctlChannelAuthorizer(extra = () => []) {
  return ({ socketId, channelName }, callback) => {
    ctl(['authorize', '--socket-id', socketId, '--channel', channelName, ...extra(channelName), '--json']).then(
      (result) =>
        result.code === 0
          ? callback(null, JSON.parse(result.stdout))
          : callback(new Error(result.stderr), null),
      (error) => callback(error, null),
    );
  };
}

// The same for userAuthentication, with `realtime-ctl authenticate --json`.
function ctlUserAuthenticator(userId) {
  return ({ socketId }, callback) => {
    ctl(['authenticate', '--socket-id', socketId, '--user-id', userId, '--json']).then(
      (result) =>
        result.code === 0
          ? callback(null, JSON.parse(result.stdout))
          : callback(new Error(result.stderr), null),
      (error) => callback(error, null),
    );
  };
}

describe('realtime-ctl', () => {
  test('publish: a pusher-js subscriber receives the event; --info --json reports the count', async () => {
    const client = await connectedClient(gw);
    const channel = await subscribe(client, 'ctl-orders');
    const got = collect(channel, 'order.shipped');

    const human = ok(
      await ctl(['publish', '--channel', 'ctl-orders', '--event', 'order.shipped', '--data', '{"id":42}']),
    );
    assert.equal(human.stdout, 'published "order.shipped" to 1 channel\n');
    await eventually('order.shipped on pusher-js', () => got.length === 1);
    assert.deepEqual(got[0].data, { id: 42 });

    const withInfo = json(
      await ctl(['publish', '--channel', 'ctl-orders', '--event', 'again', '--data', '{}', '--info', '--json']),
    );
    assert.deepEqual(withInfo, { channels: { 'ctl-orders': { subscription_count: 1 } } });
  });

  test('channels, channel and members show what pusher-js clients made', async () => {
    const ada = await connectedClient(gw, { presenceData: { user_id: 'ada', user_info: { name: 'Ada' } } });
    await subscribe(ada, 'presence-ctl-room');
    const reader = await connectedClient(gw);
    await subscribe(reader, 'ctl-public');

    const all = json(await ctl(['channels', '--json']));
    assert.deepEqual(all.channels['presence-ctl-room'], { subscription_count: 1, user_count: 1 });
    assert.deepEqual(all.channels['ctl-public'], { subscription_count: 1 });
    const table = ok(await ctl(['channels'])).stdout;
    assert.match(table, /^CHANNEL +SUBSCRIPTIONS +USERS$/m);
    assert.match(table, /^presence-ctl-room +1 +1$/m);
    assert.match(table, /^ctl-public +1 +-$/m);
    const prefixed = json(await ctl(['channels', '--prefix', 'presence-ctl-', '--json']));
    assert.deepEqual(Object.keys(prefixed.channels), ['presence-ctl-room']);

    assert.deepEqual(json(await ctl(['channel', '--channel', 'presence-ctl-room', '--json'])), {
      occupied: true,
      info: { subscription_count: 1, user_count: 1 },
    });
    assert.equal(
      ok(await ctl(['channel', '--channel', 'presence-ctl-room'])).stdout,
      'presence-ctl-room: occupied, 1 subscription, 1 user\n',
    );
    assert.equal(json(await ctl(['channel', '--channel', 'ctl-nobody', '--json'])).occupied, false);

    const members = json(await ctl(['members', '--channel', 'presence-ctl-room', '--json'])).members;
    assert.equal(members.length, 1, JSON.stringify(members));
    assert.equal(members[0].user_id, 'ada');
    assert.deepEqual(JSON.parse(members[0].user_info_json), { name: 'Ada' });
    const human = ok(await ctl(['members', '--channel', 'presence-ctl-room'])).stdout;
    assert.match(human, /^presence-ctl-room: 1 member\n {2}ada +\{"name":"Ada"\}\n$/);
  });

  test('authorize --json is an auth body pusher-js accepts for private and presence channels', async () => {
    const client = await connectedClient(gw, { authorize: ctlChannelAuthorizer() });
    const channel = await subscribe(client, 'private-ctl-orders');
    const got = collect(channel, 'secret-news');
    ok(await ctl(['publish', '--channel', 'private-ctl-orders', '--event', 'secret-news', '--data', '{"ok":true}']));
    await eventually('secret-news on the private channel', () => got.length === 1);
    assert.deepEqual(got[0].data, { ok: true });

    const grace = await connectedClient(gw, {
      authorize: ctlChannelAuthorizer(() => ['--user-id', 'grace', '--user-info', '{"name":"Grace"}']),
    });
    const room = await subscribe(grace, 'presence-ctl-auth');
    assert.deepEqual(room.members.me, { id: 'grace', info: { name: 'Grace' } });

    // The signature is bound to the socket: signed for another socket id, the gateway refuses it.
    const stranger = await connectedClient(gw, {
      authorize: ({ channelName }, callback) =>
        ctlChannelAuthorizer()({ socketId: '1.1', channelName }, callback),
    });
    const refused = await subscribeOutcome(stranger, 'private-ctl-orders');
    assert.equal(refused.ok, false, 'a subscription signed for another socket was accepted');

    const human = ok(await ctl(['authorize', '--socket-id', '1.1', '--channel', 'private-ctl-orders']));
    assert.match(human.stdout, new RegExp(`^auth: ${TEST_APP.key}:[0-9a-f]{64}\\n$`));
  });

  test('authenticate signs pusher-js in; send-to-user reaches it; terminate closes it and only it', async () => {
    const user = 'ctl-user';
    const client = await connectedClient(gw, {
      options: { userAuthentication: { customHandler: ctlUserAuthenticator(user) } },
    });
    await waitFor('pusher:signin_success', (resolveSignin) => {
      client.bind('pusher:signin_success', resolveSignin);
      client.signin();
    });
    assert.equal(client.user.user_data?.id, user);
    await eventually(`#server-to-user-${user} subscription`, () =>
      receivedFrames(client, 'pusher_internal:subscription_succeeded', `#server-to-user-${user}`).length === 1,
    );

    const notices = [];
    client.user.bind('notice', (data) => notices.push(data));
    const sent = ok(await ctl(['send-to-user', '--user-id', user, '--event', 'notice', '--data', '{"hi":1}']));
    assert.equal(sent.stdout, `sent "notice" to user "${user}"\n`);
    await eventually('notice on the signed-in client', () => notices.length === 1);
    assert.deepEqual(notices[0], { hi: 1 });

    const bystander = await connectedClient(gw);
    const terminated = ok(await ctl(['terminate', '--user-id', user]));
    assert.equal(terminated.stdout, `closed the connections of user "${user}"\n`);
    await eventually('the signed-in client leaves "connected"', () => client.connection.state !== 'connected');
    assert.equal(bystander.connection.state, 'connected', 'a connection that never signed in was closed');
    assert.deepEqual(json(await ctl(['terminate', '--user-id', user, '--json'])), {});
  });

  test('watch prints a JSON line per event while a presence client joins, and ends cleanly on SIGTERM', async () => {
    const watch = spawnCtl(['watch', '--prefix', 'presence-ctl-watch-']);
    let stderr = '';
    watch.stderr.on('data', (chunk) => (stderr += chunk));
    const lines = [];
    createInterface({ input: watch.stdout }).on('line', (line) => lines.push(line));
    const parsed = () => lines.map((line) => JSON.parse(line));
    try {
      // The stream is known to be registered only once it delivered something: join as a new
      // user on a new channel until that join shows up (bounded).
      let added;
      let channel;
      for (let attempt = 1; attempt <= 20 && !added; attempt += 1) {
        channel = `presence-ctl-watch-${attempt}`;
        const userId = `watcher-${attempt}`;
        const member = await connectedClient(gw, { presenceData: { user_id: userId, user_info: {} } });
        await subscribe(member, channel);
        added = await eventually(
          'a member_added line',
          () => parsed().find((e) => e.kind === 'member_added' && e.user_id === userId),
          500,
        ).catch(() => undefined);
        assert.equal(watch.exitCode, null, `watch exited early: ${stderr}`);
      }
      assert.ok(added, `no member_added line after 20 joins; stdout: ${lines.join('\n')}; stderr: ${stderr}`);
      assert.equal(added.channel, channel);
      assert.equal(typeof added.time_ms, 'number');
      assert.ok(Math.abs(added.time_ms - Date.now()) < 10000, `time_ms ${added.time_ms}`);
      // Only fields the event sets are printed; member_added has no event, data or socket_id.
      for (const key of Object.keys(added)) {
        assert.ok(['kind', 'channel', 'time_ms', 'user_id', 'subscription_count'].includes(key), `unexpected ${key}`);
      }
      const occupied = await eventually('the channel_occupied line', () =>
        parsed().find((e) => e.kind === 'channel_occupied' && e.channel === channel),
      );
      assert.equal(occupied.subscription_count, 1, JSON.stringify(occupied));
      for (const event of parsed()) {
        assert.ok(event.channel.startsWith('presence-ctl-watch-'), `--prefix let through ${event.channel}`);
      }

      watch.kill('SIGTERM');
      const exit = await waitFor('realtime-ctl watch to exit after SIGTERM', (done) => watch.exited.then(done), 5000);
      assert.deepEqual(exit, { code: 0, signal: null }, stderr);
      assert.equal(stderr, '');
    } finally {
      watch.kill('SIGKILL');
    }
  });

  test('errors: wrong token UNAUTHENTICATED, other app PERMISSION_DENIED, bad request INVALID_ARGUMENT (exit 1); usage exit 2', async () => {
    const wrong = await ctl(['channels'], {
      credentials: ['--target', target, '--app-id', TEST_APP.id, '--token', '0'.repeat(64)],
    });
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /^realtime-ctl: UNAUTHENTICATED(: .*)?\n$/);
    assert.equal(wrong.stdout, '');

    const otherApp = await ctl(['channels'], {
      credentials: ['--target', target, '--app-id', TEST_APP.id, '--secret', OTHER_APP.secret],
    });
    assert.equal(otherApp.code, 1, otherApp.stderr);
    assert.match(otherApp.stderr, /^realtime-ctl: PERMISSION_DENIED(: .*)?\n$/);

    const invalid = await ctl(['publish', '--channel', 'bad name', '--event', 'e']);
    assert.equal(invalid.code, 1, invalid.stderr);
    assert.match(invalid.stderr, /^realtime-ctl: INVALID_ARGUMENT: .*channel/);

    const usage = await ctl(['publish', '--channel', 'x']);
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /^realtime-ctl: INVALID_ARGUMENT: --event is required/);

    const unreachable = await ctl(['channels', '--retries', '0'], {
      credentials: ['--target', '127.0.0.1:1', '--app-id', TEST_APP.id, '--secret', TEST_APP.secret],
    });
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.match(unreachable.stderr, /^realtime-ctl: UNAVAILABLE: /);
  });

  test('the environment stands in for --target, --app-id and --secret / --token', async () => {
    const env = { REALTIME_TARGET: target, REALTIME_APP_ID: TEST_APP.id };
    const viaSecret = await ctl(['channels', '--json'], { credentials: [], env: { ...env, REALTIME_SECRET: TEST_APP.secret } });
    assert.equal(typeof json(viaSecret).channels, 'object');
    const badToken = await ctl(['channels'], { credentials: [], env: { ...env, REALTIME_TOKEN: 'nope' } });
    assert.match(badToken.stderr, /^realtime-ctl: UNAUTHENTICATED/);
  });

  test('--help and <command> --help print usage with examples and exit 0', async () => {
    const general = ok(await ctl(['--help'], { credentials: [] }));
    for (const command of ['publish', 'channels', 'channel', 'members', 'authorize', 'authenticate', 'terminate', 'send-to-user', 'watch']) {
      assert.match(general.stdout, new RegExp(`^  ${command} `, 'm'), command);
    }
    const watchHelp = ok(await ctl(['watch', '--help'], { credentials: [] }));
    assert.match(watchHelp.stdout, /Examples:\n {2}realtime-ctl watch/);
  });
});
