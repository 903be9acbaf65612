// In-page helpers the Node side drives through page.evaluate: pusher-js clients made the way a
// web app makes them (the browser's own WebSocket, the default auth endpoints of the page's
// origin), and everything they receive recorded for the test to read.
(function () {
  'use strict';
  const clients = [];

  function record(entry, channel, event, data) {
    entry.events.push({ channel, event, data, at: Date.now() });
  }

  window.rt = {
    // Opens a client; returns its index. `authParams` go with every auth request (user_id,
    // user_name for presence); `options` override the Pusher options below.
    connect({ key, wsPort, authParams = {}, options = {} }) {
      const client = new Pusher(key, {
        wsHost: '127.0.0.1',
        wsPort,
        forceTLS: false,
        enabledTransports: ['ws'],
        disableStats: true,
        cluster: 'mt1',
        channelAuthorization: { endpoint: '/pusher/auth', transport: 'ajax', params: authParams },
        userAuthentication: { endpoint: '/pusher/user-auth', transport: 'ajax', params: authParams },
        ...options,
      });
      const entry = { client, states: [], errors: [], events: [] };
      client.connection.bind('state_change', (change) => entry.states.push(change.current));
      client.connection.bind('error', (error) => {
        entry.errors.push(JSON.parse(JSON.stringify(error?.data ?? error?.error ?? null)));
      });
      client.bind_global((event, data) => record(entry, null, event, data));
      clients.push(entry);
      return clients.length - 1;
    },

    state(i) {
      return clients[i].client.connection.state;
    },

    socketId(i) {
      return clients[i].client.connection.socket_id;
    },

    errors(i) {
      return clients[i].errors;
    },

    subscribe(i, channelName) {
      const entry = clients[i];
      const channel = entry.client.subscribe(channelName);
      channel.bind_global((event, data) => record(entry, channelName, event, data));
    },

    unsubscribe(i, channelName) {
      clients[i].client.unsubscribe(channelName);
    },

    signin(i) {
      clients[i].client.signin();
    },

    // A client event; false when pusher-js refused to send it.
    trigger(i, channelName, event, data) {
      return clients[i].client.channel(channelName).trigger(event, data);
    },

    // Presence: the member ids pusher-js holds for the channel.
    members(i, channelName) {
      const ids = [];
      clients[i].client.channel(channelName).members.each((member) => ids.push(member.id));
      return ids.sort();
    },

    // Events received (channel null for connection-level ones), optionally only these.
    events(i, channelName, event) {
      return clients[i].events.filter(
        (e) =>
          (channelName === undefined || e.channel === channelName) &&
          (event === undefined || e.event === event),
      );
    },

    disconnect(i) {
      clients[i].client.disconnect();
    },
  };
})();
