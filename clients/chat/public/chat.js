// The chat page: pusher-js against realtime-gateway. Messages go through the backend (which
// publishes them over gRPC); typing indicators are client events; who is online is the presence
// channel; read receipts and direct messages arrive on this user's #server-to-user channel.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const TYPING_EVERY_MS = 1500; // at most one client-typing per this, well under the rate limit
  const TYPING_SHOWN_MS = 3000;
  const state = { token: null, user: null, pusher: null, room: null, typing: new Map(),
                  lastTypingSent: 0, members: new Map(), rendered: new Map(), readSent: new Set(),
                  earlyReads: new Map() };
  // Receipts kept for messages not shown yet, and how many at most.
  const EARLY_READS_KEPT = 100;

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: Object.assign({ 'content-type': 'application/json' },
                             state.token ? { authorization: `Bearer ${state.token}` } : {}),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
    return answer;
  }

  function timeOf(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  // --- Messages -------------------------------------------------------------------------------

  function renderMessage(message) {
    if (state.rendered.has(message.id)) return;
    const mine = message.user.id === state.user.id;
    const item = document.createElement('li');
    item.className = mine ? 'message mine' : 'message';
    item.dataset.id = String(message.id);
    item.dataset.author = message.user.id;
    const who = document.createElement('div');
    who.className = 'who';
    who.style.color = message.user.color;
    who.textContent = `${mine ? 'You' : message.user.name} · ${timeOf(message.time_ms)}`;
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.textContent = message.text;
    const seen = document.createElement('div');
    seen.className = 'seen';
    item.append(who, bubble, seen);
    $('messages').append(item);
    item.scrollIntoView({ block: 'end' });
    state.rendered.set(message.id, { item, readers: new Set() });
    for (const receipt of state.earlyReads.get(message.id) || []) onRead(receipt);
    state.earlyReads.delete(message.id);
    if (!mine) markRead(message);
  }

  // Tells the author this message was seen, once, while this window is visible.
  function markRead(message) {
    if (document.visibilityState !== 'visible' || state.readSent.has(message.id)) return;
    state.readSent.add(message.id);
    api('POST', '/read', { message_id: message.id }).catch(() => state.readSent.delete(message.id));
  }

  function onRead(receipt) {
    const rendered = state.rendered.get(receipt.message_id);
    if (!rendered) {
      // The reader can be faster than the answer that shows the author's own message: keep
      // the receipt until it is shown.
      if (!state.earlyReads.has(receipt.message_id)) {
        if (state.earlyReads.size >= EARLY_READS_KEPT) {
          state.earlyReads.delete(state.earlyReads.keys().next().value);
        }
        state.earlyReads.set(receipt.message_id, []);
      }
      state.earlyReads.get(receipt.message_id).push(receipt);
      return;
    }
    rendered.readers.add(receipt.reader.name);
    const seen = rendered.item.querySelector('.seen');
    seen.textContent = `Seen by ${[...rendered.readers].join(', ')}`;
    rendered.item.dataset.seenBy = [...rendered.readers].join(',');
  }

  // --- Typing ---------------------------------------------------------------------------------

  function onTyping(data) {
    if (data.user_id === state.user.id) return;
    clearTimeout(state.typing.get(data.user_id)?.timer);
    const timer = setTimeout(() => {
      state.typing.delete(data.user_id);
      showTyping();
    }, TYPING_SHOWN_MS);
    state.typing.set(data.user_id, { name: data.name, timer });
    showTyping();
  }

  function showTyping() {
    const names = [...state.typing.values()].map((t) => t.name);
    $('typing').textContent = names.length === 0 ? '' :
        names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  }

  function sendTyping() {
    const now = Date.now();
    if (!state.room || !state.room.subscribed || now - state.lastTypingSent < TYPING_EVERY_MS) return;
    state.lastTypingSent = now;
    state.room.trigger('client-typing', { user_id: state.user.id, name: state.user.name });
  }

  // --- Presence -------------------------------------------------------------------------------

  function renderOnline() {
    const list = $('online');
    list.replaceChildren();
    const select = $('direct-to');
    const chosen = select.value;
    select.replaceChildren();
    for (const [id, info] of [...state.members].sort((a, b) => a[1].name.localeCompare(b[1].name))) {
      const item = document.createElement('li');
      item.dataset.user = id;
      const dot = document.createElement('span');
      dot.className = 'dot';
      const name = document.createElement('span');
      name.textContent = id === state.user.id ? `${info.name} (you)` : info.name;
      name.style.color = info.color;
      item.append(dot, name);
      list.append(item);
      if (id !== state.user.id) {
        const option = document.createElement('option');
        option.value = id;
        option.textContent = info.name;
        select.append(option);
      }
    }
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
    $('online-count').textContent = `(${state.members.size})`;
  }

  // --- Direct messages ------------------------------------------------------------------------

  function renderDirect(direct) {
    const item = document.createElement('li');
    item.dataset.from = direct.from.id;
    const who = document.createElement('div');
    who.className = 'who';
    who.style.color = direct.from.color;
    who.textContent = direct.from.id === state.user.id ? `You → ${direct.to}` : `${direct.from.name} → you`;
    const text = document.createElement('div');
    text.textContent = direct.text;
    item.append(who, text);
    $('directs').append(item);
  }

  // --- Connecting -----------------------------------------------------------------------------

  async function join(name) {
    const login = await api('POST', '/login', { name });
    state.token = login.token;
    state.user = login.user;
    const config = await api('GET', '/config');
    const auth = { headers: { authorization: `Bearer ${state.token}` } };
    state.pusher = new Pusher(config.key, {
      wsHost: config.wsHost, wsPort: config.wsPort, forceTLS: false, enabledTransports: ['ws'],
      cluster: 'mt1', disableStats: true,
      channelAuthorization: Object.assign({ endpoint: '/pusher/auth', transport: 'ajax' }, auth),
      userAuthentication: Object.assign({ endpoint: '/pusher/user-auth', transport: 'ajax' }, auth),
    });
    const connection = $('connection');
    state.pusher.connection.bind('state_change', ({ current }) => {
      connection.dataset.state = current;
      connection.textContent = current;
    });
    state.pusher.signin();
    state.pusher.user.bind('message.read', onRead);
    state.pusher.user.bind('direct.message', renderDirect);

    const room = state.pusher.subscribe(config.room);
    state.room = room;
    room.bind('pusher:subscription_succeeded', (members) => {
      state.members.clear();
      members.each((member) => state.members.set(member.id, member.info));
      renderOnline();
    });
    room.bind('pusher:member_added', (member) => {
      state.members.set(member.id, member.info);
      renderOnline();
    });
    room.bind('pusher:member_removed', (member) => {
      state.members.delete(member.id);
      state.typing.delete(member.id);
      renderOnline();
      showTyping();
    });
    room.bind('message.sent', (message) => {
      // Whoever sent it no longer types.
      clearTimeout(state.typing.get(message.user.id)?.timer);
      state.typing.delete(message.user.id);
      showTyping();
      renderMessage(message);
    });
    room.bind('client-typing', onTyping);

    const history = await api('GET', '/messages');
    for (const message of history.messages) renderMessage(message);

    $('me').textContent = `signed in as ${state.user.name}`;
    $('login').hidden = true;
    $('chat').hidden = false;
    $('text').focus();
  }

  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await join($('login-name').value);
    } catch (error) {
      $('login-error').textContent = error.message;
    }
  });
  $('text').addEventListener('input', sendTyping);
  $('composer').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    const sent = await api('POST', '/messages', { text, socket_id: state.pusher.connection.socket_id });
    renderMessage(sent.message);
  });
  $('direct').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('direct-text').value.trim();
    if (!text || !$('direct-to').value) return;
    $('direct-text').value = '';
    await api('POST', '/direct', { to: $('direct-to').value, text });
  });
  document.addEventListener('visibilitychange', () => {
    for (const item of document.querySelectorAll('.message:not(.mine)')) {
      markRead({ id: Number(item.dataset.id) });
    }
  });
})();
