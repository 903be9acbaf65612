// The dashboard page: polls the gateway's /dashboard/api/ for one app and draws it. Served from
// the gateway's binary; talks only to the origin it came from.
'use strict';

(function () {
  // What happens shows within a second, with room for a slow page or a busy gateway.
  const LIVE_EVERY_MS = 250;
  const CHANNELS_EVERY_MS = 3000;
  const CONSOLE_ROWS = 500;
  const HOUR_MS = 3600 * 1000;

  const $ = (id) => document.getElementById(id);
  // One chart's buckets: this node's, or the cluster's.
  function newHistory() {
    return {
      pointsAfter: -1,   // the last closed bucket we have
      points: new Map(), // bucket index -> point
      current: null,     // the bucket in progress
      now: null,         // {connections, subscriptions} as they stand
    };
  }

  const state = {
    app: null,
    resolution: 5000,
    after: 0,          // the console cursor
    node: newHistory(),
    cluster: newHistory(),
    clustered: false,  // part of a cluster (the apps answer says)
    scope: 'node',     // whose figures the tiles and charts show: 'node' or 'cluster'
    channelsTotal: null,
    paused: false,
    shown: 0,
    selectedChannel: null,
  };

  const GROUPS = {
    connection_opened: 'connection', connection_closed: 'connection',
    subscribed: 'subscription', subscription_failed: 'subscription',
    api_message: 'api', client_event: 'client',
    webhook_sent: 'webhook', webhook_failed: 'webhook',
    occupied: 'channel', vacated: 'channel', member_added: 'channel', member_removed: 'channel',
    cache_miss: 'channel',
  };
  const LABELS = {
    connection_opened: 'connected', connection_closed: 'disconnected',
    subscribed: 'subscribed', subscription_failed: 'subscription failed',
    api_message: 'API message', client_event: 'client event',
    webhook_sent: 'webhook sent', webhook_failed: 'webhook failed',
    occupied: 'occupied', vacated: 'vacated', member_added: 'member added',
    member_removed: 'member removed', cache_miss: 'cache miss',
  };

  async function api(path, options) {
    const response = await fetch(path, Object.assign({cache: 'no-store',
                                                      credentials: 'same-origin'}, options || {}));
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) {
      const error = new Error((body && body.error) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function setStatus(kind, text) {
    const status = $('status');
    status.dataset.state = kind;
    status.textContent = text;
  }

  // --- Charts ---------------------------------------------------------------------------------

  const charts = {};
  function makeCharts() {
    charts.connections = new LineChart($('chart-connections'), [
      {key: 'connections', label: 'connections', color: '#3a6df0'},
      {key: 'subscriptions', label: 'subscriptions', color: '#1f9d66'}]);
    charts.messages = new LineChart($('chart-messages'), [
      {key: 'messages_in', label: 'in', color: '#c98a00'},
      {key: 'messages_out', label: 'out', color: '#3a6df0'}]);
    charts.publishes = new LineChart($('chart-publishes'), [
      {key: 'published', label: 'API messages', color: '#d06a1b'},
      {key: 'client_events', label: 'client events', color: '#8b45c4'}]);
    charts.webhooks = new LineChart($('chart-webhooks'), [
      {key: 'webhooks_sent', label: 'sent', color: '#0f8a9b'},
      {key: 'webhooks_failed', label: 'failed', color: '#d64545'}]);
  }

  const GAUGES = ['connections', 'subscriptions'];
  // A bucket as chart values: gauges as they stood, totals as a rate per second.
  function valuesOf(point) {
    const values = {};
    // A bucket just begun covers too little time for a fair rate: count at least a second.
    const seconds = Math.max(point.covered_ms, 1000) / 1000;
    for (const [key, value] of Object.entries(point)) {
      if (key === 'index' || key === 'covered_ms') continue;
      values[key] = GAUGES.includes(key) ? value : value / seconds;
    }
    return values;
  }

  // Takes in a live answer's {points, current} for `history`.
  function absorb(history, traffic, now) {
    for (const point of traffic.points) {
      history.points.set(point.index, point);
      history.pointsAfter = Math.max(history.pointsAfter, point.index);
    }
    const oldest = history.pointsAfter - 720;
    for (const index of history.points.keys()) if (index <= oldest) history.points.delete(index);
    history.current = traffic.current || null;
    history.now = now;
  }

  function drawCharts(history, now_ms) {
    const points = [...history.points.values()].sort((a, b) => a.index - b.index);
    if (history.current) points.push(history.current);
    const series = points.map((p) => ({time_ms: p.index * state.resolution, values: valuesOf(p)}));
    for (const chart of Object.values(charts)) chart.render(series, now_ms, HOUR_MS);
    const latest = series.length ? series[series.length - 1].values : {};
    $('tile-messages-out').textContent = formatValue(latest.messages_out || 0);
    $('tile-published').textContent = formatValue(latest.published || 0);
  }

  // --- Console --------------------------------------------------------------------------------

  function cell(row, text, className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    td.textContent = text == null ? '' : String(text);
    row.append(td);
    return td;
  }

  function describe(entry) {
    switch (entry.kind) {
      case 'connection_closed': {
        const detail = entry.detail || '';
        if (!detail.startsWith('client')) return `closed by the server, code ${detail}`;
        const code = detail.slice('client'.length).trim();
        return code ? `closed by the client, code ${code}` : 'closed by the client';
      }
      case 'subscription_failed': return `${entry.size || ''} ${entry.detail || ''}`.trim();
      case 'api_message':
        return `via ${entry.detail}, ${entry.size || 0} bytes` + (entry.data ? `: ${entry.data}` : '');
      case 'client_event':
        return (entry.user_id ? `from ${entry.user_id}, ` : '') + `${entry.size || 0} bytes` +
               (entry.data ? `: ${entry.data}` : '');
      case 'webhook_sent': return `${entry.size || 0} event(s) to ${entry.detail}`;
      case 'webhook_failed': return `${entry.size || 0} event(s): ${entry.detail}`;
      case 'subscribed': case 'member_added': case 'member_removed':
        return entry.user_id ? `user ${entry.user_id}` : '';
      default: return entry.detail || '';
    }
  }

  function matchesFilter(row) {
    const channel = $('filter-channel').value.trim();
    const group = $('filter-kind').value;
    return (!group || row.dataset.group === group) &&
           (!channel || (row.dataset.channel || '').includes(channel));
  }

  function addConsoleRows(entries) {
    const body = $('console').querySelector('tbody');
    for (const entry of entries) {
      const row = document.createElement('tr');
      const group = GROUPS[entry.kind] || 'other';
      row.dataset.group = group;
      row.dataset.kind = entry.kind;
      row.dataset.channel = entry.channel || '';
      cell(row, new Date(entry.time_ms).toLocaleTimeString([], {hour12: false}) +
                '.' + String(entry.time_ms % 1000).padStart(3, '0'));
      const kindCell = cell(row, '');
      const badge = document.createElement('span');
      badge.className = 'kind';
      badge.dataset.group = group;
      badge.dataset.failed = String(entry.kind.endsWith('failed'));
      badge.textContent = LABELS[entry.kind] || entry.kind;
      kindCell.append(badge);
      cell(row, entry.channel);
      cell(row, entry.event);
      cell(row, entry.socket_id);
      cell(row, describe(entry), 'details');
      row.hidden = !matchesFilter(row);
      body.prepend(row);
      state.shown++;
    }
    while (body.rows.length > CONSOLE_ROWS) body.lastElementChild.remove();
    $('console-count').textContent = `${body.rows.length} shown`;
  }

  function applyFilter() {
    for (const row of $('console').querySelector('tbody').rows) row.hidden = !matchesFilter(row);
  }

  // --- Cluster ----------------------------------------------------------------------------------

  function formatAge(ms) {
    return ms < 1000 ? 'just now' : `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s ago`;
  }

  function drawNodes(cluster) {
    const body = $('cluster-nodes').querySelector('tbody');
    body.replaceChildren();
    for (const node of cluster.nodes) {
      const row = document.createElement('tr');
      row.dataset.node = node.id;
      row.dataset.self = String(node.self);
      // Figures older than three heartbeats: the node may be on its way out.
      row.dataset.stale = String(node.age_ms > 3000);
      cell(row, node.id, 'mono');
      for (const key of ['connections', 'subscriptions', 'messages_in', 'messages_out', 'published']) {
        const td = cell(row, formatValue(node[key]), 'num');
        td.dataset.key = key;
      }
      cell(row, formatAge(node.age_ms), 'num').dataset.key = 'age';
      body.append(row);
    }
    const n = cluster.nodes.length;
    $('cluster-count').textContent = `${n} node${n === 1 ? '' : 's'}`;
    const note = $('cluster-note');
    if (cluster.error) {
      note.dataset.state = 'error';
      note.textContent = `The other nodes' figures are unavailable: ${cluster.error}`;
    } else {
      note.dataset.state = '';
      note.textContent = 'Every node that shared its figures within its lease; the cluster\'s ' +
                         'figures and charts are their sum. Channels and members are always the cluster\'s.';
    }
  }

  function setScope(scope) {
    state.scope = scope;
    for (const button of $('scope').querySelectorAll('button')) {
      button.setAttribute('aria-pressed', String(button.dataset.scope === scope));
    }
  }

  // Tiles and charts of the scope shown.
  function drawFigures(live) {
    const history = state.scope === 'cluster' ? state.cluster : state.node;
    const now = history.now || {connections: 0, subscriptions: 0};
    $('tile-connections').textContent = formatValue(now.connections);
    $('tile-subscriptions').textContent = formatValue(now.subscriptions);
    const channels = state.scope === 'cluster' && state.channelsTotal != null ? state.channelsTotal
                                                                              : live.now.channels;
    $('tile-channels').textContent = formatValue(channels);
    document.querySelector('.tiles').dataset.scope = state.scope;
    document.querySelector('.charts').dataset.scope = state.scope;
    drawCharts(history, live.time_ms);
  }

  // --- Live loop ------------------------------------------------------------------------------

  let lastLive = null;

  async function pollLive() {
    const query = new URLSearchParams({app: state.app, after: String(state.after),
                                       points_after: String(state.node.pointsAfter),
                                       cluster_points_after: String(state.cluster.pointsAfter)});
    const live = await api(`/dashboard/api/live?${query}`);
    setStatus('live', 'live');
    absorb(state.node, live.traffic, live.now);
    if (live.cluster) {
      absorb(state.cluster, live.cluster.traffic, live.cluster.now);
      drawNodes(live.cluster);
    }
    lastLive = live;
    drawFigures(live);
    state.after = live.console.next;
    if (!state.paused) addConsoleRows(live.console.entries);
    const lost = live.console.dropped + (state.missed = (state.missed || 0) + live.console.missed);
    $('console-dropped').textContent = lost ? `${lost} dropped (the console could not keep up)` : '';
  }

  async function liveLoop() {
    for (;;) {
      try {
        await pollLive();
      } catch (error) {
        setStatus('down', error.status === 401 ? 'credentials refused' : 'unreachable');
      }
      await new Promise((resolve) => setTimeout(resolve, LIVE_EVERY_MS));
    }
  }

  // --- Channels and members -------------------------------------------------------------------

  async function refreshChannels() {
    const query = new URLSearchParams({app: state.app, prefix: $('channels-prefix').value.trim()});
    let listed;
    try {
      listed = await api(`/dashboard/api/channels?${query}`);
    } catch (error) {
      $('channels-total').textContent = error.message;
      return;
    }
    const body = $('channels').querySelector('tbody');
    body.replaceChildren();
    for (const channel of listed.channels) {
      const row = document.createElement('tr');
      row.dataset.channel = channel.name;
      if (channel.name === state.selectedChannel) row.className = 'selected';
      cell(row, channel.name, 'mono');
      cell(row, channel.subscriptions, 'num');
      cell(row, channel.users == null ? '' : channel.users, 'num');
      row.addEventListener('click', () => selectChannel(channel.name));
      body.append(row);
    }
    $('channels-total').textContent =
        listed.total > listed.channels.length ? `${listed.channels.length} busiest of ${listed.total}`
                                              : `${listed.total}`;
    $('channels-empty').hidden = listed.total > 0;
    state.channelsTotal = listed.total;
    if (state.selectedChannel) await refreshMembers();
  }

  function selectChannel(name) {
    state.selectedChannel = name;
    $('creator-channel').value = name;
    for (const row of $('channels').querySelector('tbody').rows) {
      row.className = row.dataset.channel === name ? 'selected' : '';
    }
    refreshMembers();
  }

  async function refreshMembers() {
    const name = state.selectedChannel;
    const panel = $('members-panel');
    if (!name || !(name.startsWith('presence-'))) {
      panel.hidden = true;
      return;
    }
    let listed;
    try {
      listed = await api(`/dashboard/api/members?${new URLSearchParams({app: state.app, channel: name})}`);
    } catch (error) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    $('members-channel').textContent = name;
    $('members-total').textContent = `${listed.total}`;
    const list = $('members');
    list.replaceChildren();
    for (const member of listed.members) {
      const item = document.createElement('li');
      item.dataset.user = member.id;
      const id = document.createElement('code');
      id.textContent = member.id;
      item.append(id);
      if (member.info != null) {
        const info = document.createElement('span');
        info.className = 'info';
        info.textContent = JSON.stringify(member.info);
        item.append(info);
      }
      list.append(item);
    }
  }

  async function channelsLoop() {
    for (;;) {
      await refreshChannels();
      await new Promise((resolve) => setTimeout(resolve, CHANNELS_EVERY_MS));
    }
  }

  // --- Event creator --------------------------------------------------------------------------

  async function publish(event) {
    event.preventDefault();
    const result = $('creator-result');
    const channels = $('creator-channel').value.split(',').map((c) => c.trim()).filter(Boolean);
    const data = $('creator-data').value;
    try {
      JSON.parse(data);
    } catch (error) {
      result.className = 'result error';
      result.textContent = `Data is not JSON: ${error.message}`;
      return;
    }
    try {
      const answer = await api(`/dashboard/api/publish?${new URLSearchParams({app: state.app})}`, {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({name: $('creator-event').value.trim(), channels, data}),
      });
      const reached = Object.entries(answer.subscriptions || {})
                          .map(([channel, n]) => `${channel}: ${n} subscription(s)`).join(', ');
      result.className = 'result ok';
      result.textContent = `Published. ${reached}`;
    } catch (error) {
      result.className = 'result error';
      result.textContent = `Refused: ${error.message}`;
    }
  }

  // --- Start ----------------------------------------------------------------------------------

  async function start() {
    makeCharts();
    let listed;
    try {
      listed = await api('/dashboard/api/apps');
    } catch (error) {
      setStatus('down', error.status === 401 ? 'credentials refused' : 'unreachable');
      return;
    }
    state.resolution = listed.resolution_ms;
    $('node').textContent = listed.node;
    state.clustered = listed.cluster === true;
    $('cluster-panel').dataset.clustered = String(state.clustered);
    if (state.clustered) {
      setScope('cluster');
      $('scope').hidden = false;
      $('cluster-nodes').hidden = false;
      for (const button of $('scope').querySelectorAll('button')) {
        button.addEventListener('click', () => {
          setScope(button.dataset.scope);
          if (lastLive) drawFigures(lastLive);
        });
      }
    } else {
      $('cluster-count').textContent = 'single node';
      $('cluster-note').textContent =
          'This gateway runs alone: the figures and charts below are this node\'s, and the whole gateway\'s.';
    }
    const wanted = new URLSearchParams(location.search).get('app');
    const select = $('app');
    for (const app of listed.apps) {
      const option = document.createElement('option');
      option.value = app.id;
      option.textContent = app.id;
      select.append(option);
    }
    state.app = listed.apps.some((a) => a.id === wanted) ? wanted : (listed.apps[0] || {}).id;
    if (!state.app) {
      setStatus('down', 'no apps');
      return;
    }
    select.value = state.app;
    document.title = `${state.app} · realtime-gateway`;
    select.addEventListener('change', () => {
      location.search = `?${new URLSearchParams({app: select.value})}`;
    });
    $('filter-channel').addEventListener('input', applyFilter);
    $('filter-kind').addEventListener('change', applyFilter);
    $('pause').addEventListener('click', () => {
      state.paused = !state.paused;
      $('pause').setAttribute('aria-pressed', String(state.paused));
      $('pause').textContent = state.paused ? 'Resume' : 'Pause';
    });
    $('clear').addEventListener('click', () => {
      $('console').querySelector('tbody').replaceChildren();
      $('console-count').textContent = '';
    });
    $('channels-prefix').addEventListener('input', () => refreshChannels());
    $('creator').addEventListener('submit', publish);
    liveLoop();
    channelsLoop();
  }

  start();
})();
