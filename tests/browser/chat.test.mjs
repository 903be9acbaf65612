// The chat demo (clients/chat) in two Chromium pages against the real gateway: its backend
// signs users in, authorizes the presence channel and publishes over the gRPC control plane.
// The pages exchange messages, see each other typing (client events) and online (presence), a
// read receipt travels back to the author, and a direct message arrives through the
// recipient's #server-to-user channel. Screenshots go to the build tree.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_APP } from '../conformance/lib/gateway.mjs';
import { browserFixture } from './lib/fixture.mjs';
import { pageErrors, screenshotPath } from './lib/screenshots.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CHAT_SERVER = resolve(here, '../../clients/chat/server.mjs');
const fx = browserFixture();
let chat;

// The demo's backend, on a free port, pointed at the test's gateway; its first line names the URL.
async function startChat() {
  const proc = spawn(process.execPath, [CHAT_SERVER], {
    env: {
      PATH: process.env.PATH,
      CHAT_PORT: '0',
      REALTIME_TARGET: `127.0.0.1:${fx.gw.grpcPort}`,
      REALTIME_WS_PORT: String(fx.gw.port),
      REALTIME_APP_ID: TEST_APP.id,
      REALTIME_APP_KEY: TEST_APP.key,
      REALTIME_SECRET: TEST_APP.secret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk) => { stderr += chunk; });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`chat did not start in 15 s: ${stderr}`)), 15000);
    proc.on('exit', (code) => reject(new Error(`chat exited (${code}): ${stderr}`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const found = line.match(/open (http:\/\/\S+\/)/);
      if (found) {
        clearTimeout(timer);
        resolveUrl(found[1]);
      }
    });
  });
  return { proc, url };
}

after(() => chat?.proc.kill('SIGTERM'));

// A page of the chat, signed in as `name`, once it is connected and sees itself online.
async function join(name) {
  const page = await fx.page(chat.url);
  await page.fill('#login-name', name);
  await page.click('#login button[type="submit"]');
  await page.waitForFunction((id) => document.getElementById('connection').dataset.state === 'connected' &&
                             document.querySelector(`#online li[data-user="${id}"]`), name, { timeout: 10000 });
  assert.equal(await page.isVisible('#login'), false, 'the sign-in form is gone');
  return page;
}

const wait = (page, predicate, arg, timeout = 10000) =>
  page.waitForFunction(predicate, arg, { timeout, polling: 50 });

test('two chat pages exchange messages, typing, presence, a read receipt and a direct message', async () => {
  chat = await startChat();
  const alice = await join('alice');
  const bob = await join('bob');

  // Presence: each sees the other online.
  await wait(alice, () => document.querySelector('#online li[data-user="bob"]'));
  await wait(bob, () => document.querySelector('#online li[data-user="alice"]'));

  // Typing: a client event, shown on the other page only.
  await alice.type('#text', 'hello bob', { delay: 20 });
  await wait(bob, () => document.getElementById('typing').textContent === 'alice is typing…');
  assert.equal(await alice.textContent('#typing'), '');

  // A message through the backend (gRPC Publish) reaches the other page, once.
  await alice.press('#text', 'Enter');
  await wait(bob, () => [...document.querySelectorAll('.message .bubble')].some((b) => b.textContent === 'hello bob'));
  await wait(bob, () => document.getElementById('typing').textContent === '');
  await bob.fill('#text', 'hi alice');
  await bob.press('#text', 'Enter');
  await wait(alice, () => [...document.querySelectorAll('.message .bubble')].some((b) => b.textContent === 'hi alice'));
  // Bob's own message comes back to him through the channel too, perhaps after alice has it.
  await wait(bob, () => [...document.querySelectorAll('.message .bubble')].some((b) => b.textContent === 'hi alice'));
  assert.equal(await alice.$$eval('.message', (items) => items.length), 2);
  assert.equal(await bob.$$eval('.message', (items) => items.length), 2);

  // Bob saw alice's message: the receipt reaches alice through her #server-to-user channel.
  await wait(alice, () => document.querySelector('.message.mine')?.dataset.seenBy === 'bob');
  assert.equal(await alice.textContent('.message.mine .seen'), 'Seen by bob');

  // A direct message, bob to alice.
  await bob.selectOption('#direct-to', 'alice');
  await bob.fill('#direct-text', 'psst, just you');
  await bob.click('#direct button[type="submit"]');
  await wait(alice, () => [...document.querySelectorAll('#directs li[data-from="bob"]')].some((li) => li.textContent.includes('psst, just you')));

  await alice.screenshot({ path: screenshotPath('chat-alice.png') });
  await bob.screenshot({ path: screenshotPath('chat-bob.png') });

  // Bob leaves: alice sees him go.
  await bob.context().close();
  await wait(alice, () => !document.querySelector('#online li[data-user="bob"]'));
  assert.deepEqual(pageErrors(alice), []);
});
