#include "gateway/cluster/cluster_scripts.h"

#include <string>

namespace gw::cluster {
namespace {

// Helpers every script starts with. msg() writes a ClusterMessage (cluster_message.h): "RG1",
// the type, then each field as <length>:<bytes>. Channel event kinds are core::ChannelEvent's:
// 1 occupied, 2 vacated, 3 member added, 4 member removed, 7 subscription count.
// Key names for an app are built here only where a script must reach keys of channels it finds
// as it goes (reap, list): see ClusterNames, which builds the same names in C++.
constexpr char kPrelude[] = R"lua(
-- A seed that restores what a restarted Redis lost announces no channel events or watchlist
-- changes: nothing changed for the apps, only for Redis (the seed script sets it).
local restoring = false
local function f(s) s = tostring(s) return #s .. ':' .. s end
local function msg(t, ...)
  local out = 'RG1' .. t
  for i = 1, select('#', ...) do out = out .. f(select(i, ...)) end
  return out
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function app_prefix(prefix, app) return prefix .. ':a' .. #app .. ':' .. app .. ':' end
-- A node holds a lease while it is listed with a score above 0; 0 is a lease revoked by a reap
-- that has not finished yet (see reap).
local function holds_lease(nodes, node)
  local score = redis.call('ZSCORE', nodes, node)
  return score and tonumber(score) > 0
end
local function split(s)
  local parts = {}
  for part in string.gmatch(s .. '\0', '([^%z]*)%z') do parts[#parts + 1] = part end
  return parts
end
-- A channel event `m` (a 'V' message): published for WatchEvents streams (and as the webhook
-- sender's wake-up), and, while the app's webhook cursor exists (some node has webhooks for it),
-- added to the app's webhook stream in the same atomic step, so that no sender's absence can
-- lose it. MAXLEN ~ trims whole stream nodes (100 entries each by default), so the stream may
-- hold up to ~100 more than maxlen. `webhooks` false: for WatchEvents streams only, an event
-- no webhook of the app sends.
local function announce(ap, m, webhooks)
  redis.call('PUBLISH', ap .. 'events', m)
  if webhooks == false then return end
  local maxlen = redis.call('HGET', ap .. 'webhook-cursor', 'maxlen')
  if maxlen then redis.call('XADD', ap .. 'webhook-events', 'MAXLEN', '~', maxlen, '*', 'm', m) end
end
-- A once-per-cluster channel event (kinds 1 to 4, decided by the run that sees the transition;
-- 7, a subscription count).
local function channel_event(ap, kind, channel, user, n, webhooks)
  announce(ap, msg('V', kind, channel, user, '', '', '', n), webhooks)
end
-- Adds k subscriptions of `channel`; occupied on the first. Returns the count after.
local function add_subscriptions(ap, channel, k)
  local n = redis.call('HINCRBY', ap .. 'counts', channel, k)
  if n == k then
    redis.call('ZADD', ap .. 'occupied', 0, channel)
    if not restoring then channel_event(ap, 1, channel, '', n) end
  end
  return n
end
-- Adds k connections of a member; member_added on the user's first anywhere.
local function add_member(ap, channel, user, info, k, n)
  redis.call('HSET', ap .. 'roster:' .. channel, user, info)
  if redis.call('HINCRBY', ap .. 'roster-connections:' .. channel, user, k) == k then
    local version = redis.call('INCR', ap .. 'roster-version:' .. channel)
    redis.call('PUBLISH', ap .. 'c:' .. channel, msg('A', version, user, info))
    if not restoring then channel_event(ap, 3, channel, user, n) end
  end
end
-- Takes k connections of a member away; member_removed after the user's last anywhere. A roster
-- left empty is deleted with its version: no node shows it (a node with a view of it has local
-- members in it), and the next first member starts a new numbering that nodes sync to.
local function drop_member(ap, channel, user, k, n)
  local roster = ap .. 'roster:' .. channel
  local rconns = ap .. 'roster-connections:' .. channel
  if redis.call('HINCRBY', rconns, user, -k) <= 0 then
    redis.call('HDEL', rconns, user)
    redis.call('HDEL', roster, user)
    local version = redis.call('INCR', ap .. 'roster-version:' .. channel)
    redis.call('PUBLISH', ap .. 'c:' .. channel, msg('R', version, user))
    channel_event(ap, 4, channel, user, n)
    if redis.call('HLEN', roster) == 0 then
      redis.call('DEL', roster, rconns, ap .. 'roster-version:' .. channel)
    end
  end
end
-- Takes k subscriptions away; vacated after the last. Returns the count after.
local function drop_subscriptions(ap, channel, k)
  local n = redis.call('HINCRBY', ap .. 'counts', channel, -k)
  if n <= 0 then
    redis.call('HDEL', ap .. 'counts', channel)
    redis.call('ZREM', ap .. 'occupied', channel)
    channel_event(ap, 2, channel, '', 0)
    return 0
  end
  return n
end
local function add_online(ap, user, k)
  if redis.call('HINCRBY', ap .. 'online', user, k) == k and not restoring then
    redis.call('PUBLISH', ap .. 'c:#watchlist-' .. user, msg('W', '1', user))
  end
end
local function drop_online(ap, user, k)
  if redis.call('HINCRBY', ap .. 'online', user, -k) <= 0 then
    redis.call('HDEL', ap .. 'online', user)
    redis.call('PUBLISH', ap .. 'c:#watchlist-' .. user, msg('W', '0', user))
  end
end
-- Takes `k` off a node's own field; false if it had nothing there (already reaped).
local function take_own(node_key, field, k)
  local mine = tonumber(redis.call('HGET', node_key, field) or '0')
  if mine < k then return false end
  if mine == k then redis.call('HDEL', node_key, field)
  else redis.call('HINCRBY', node_key, field, -k) end
  return true
end
)lua";

RedisScript Script(const char* body) { return RedisScript(std::string(kPrelude) + body); }

}  // namespace

const ClusterScripts& ClusterScripts::Get() {
  static const ClusterScripts* const scripts = new ClusterScripts{
      // KEYS: nodes, node. ARGV: node, prefix, app, channel, presence ('1'), user, info,
      // max members (0 = none), want cache ('1'), seeded ('1': a re-seed of this node's share
      // counted the join while it waited, so it is only answered).
      // -> {'OK', count, roster version, {user, info, ...}, cached frame or nil} | {'NOLEASE'}
      //    | {'FULL'}
      .join = Script(R"lua(
if not holds_lease(KEYS[1], ARGV[1]) then return {'NOLEASE'} end
local ap = app_prefix(ARGV[2], ARGV[3])
local channel, user = ARGV[4], ARGV[6]
local presence = ARGV[5] == '1'
local seeded = ARGV[10] == '1'
if presence and not seeded then
  local max = tonumber(ARGV[8])
  if max > 0 and not redis.call('HGET', ap .. 'roster-connections:' .. channel, user)
     and redis.call('HLEN', ap .. 'roster:' .. channel) >= max then
    return {'FULL'}
  end
end
local n
if seeded then
  n = tonumber(redis.call('HGET', ap .. 'counts', channel) or '0')
else
  redis.call('HINCRBY', KEYS[2], 's\0' .. ARGV[3] .. '\0' .. channel, 1)
  n = add_subscriptions(ap, channel, 1)
end
local version, members = 0, {}
if presence then
  if not seeded then
    redis.call('HINCRBY', KEYS[2], 'm\0' .. ARGV[3] .. '\0' .. channel .. '\0' .. user, 1)
    add_member(ap, channel, user, ARGV[7], 1, n)
  end
  version = tonumber(redis.call('GET', ap .. 'roster-version:' .. channel) or '0')
  members = redis.call('HGETALL', ap .. 'roster:' .. channel)
end
local cached = false
if ARGV[9] == '1' then cached = redis.call('GET', ap .. 'cache:' .. channel) end
return {'OK', n, version, members, cached}
)lua"),
      // KEYS: nodes, node. ARGV: node, prefix, app, channel, presence ('1'), user.
      // -> 'OK' | 'NONE' (this node had not counted it: its lease was lost meanwhile)
      .leave = Script(R"lua(
local ap = app_prefix(ARGV[2], ARGV[3])
local channel, user = ARGV[4], ARGV[6]
if not take_own(KEYS[2], 's\0' .. ARGV[3] .. '\0' .. channel, 1) then return 'NONE' end
local n = tonumber(redis.call('HGET', ap .. 'counts', channel) or '1') - 1
if ARGV[5] == '1' and take_own(KEYS[2], 'm\0' .. ARGV[3] .. '\0' .. channel .. '\0' .. user, 1) then
  drop_member(ap, channel, user, 1, math.max(n, 0))
end
drop_subscriptions(ap, channel, 1)
return 'OK'
)lua"),
      // KEYS: nodes, node. ARGV: node, prefix, app, user, '1' signed in / '0' signed out.
      // -> 'OK' | 'NOLEASE' | 'NONE'
      .sign = Script(R"lua(
local ap = app_prefix(ARGV[2], ARGV[3])
local field = 'u\0' .. ARGV[3] .. '\0' .. ARGV[4]
if ARGV[5] == '1' then
  if not holds_lease(KEYS[1], ARGV[1]) then return 'NOLEASE' end
  redis.call('HINCRBY', KEYS[2], field, 1)
  add_online(ap, ARGV[4], 1)
  return 'OK'
end
if not take_own(KEYS[2], field, 1) then return 'NONE' end
drop_online(ap, ARGV[4], 1)
return 'OK'
)lua"),
      // KEYS: counts, roster, cache. ARGV: channel, pub/sub channel, message, cache ttl ms
      // (0 = not a cache channel), frame, want counts ('1').
      // -> {subscriptions, roster size, nodes the message reached}
      .publish = Script(R"lua(
if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[4]) end
local reached = redis.call('PUBLISH', ARGV[2], ARGV[3])
if ARGV[6] ~= '1' then return {0, 0, reached} end
return {tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0'), redis.call('HLEN', KEYS[2]), reached}
)lua"),
      // KEYS: nodes, node, epoch. ARGV: node, lease ms, prefix, the epoch this node last seeded
      // into ('' = none yet), an epoch to create if Redis has none, then entries of 6: type
      // ('a' app, 's' subscriptions, 'm' member connections, 'u' signed-in connections), app,
      // channel, user, info, count. The first call of a seed registers the lease. Callers send
      // 'a' and 's' entries before 'm', so occupied comes before member_added.
      // -> the epoch. A Redis whose epoch is not the one the node knew has lost its state
      // (restarted, flushed): the seed restores it without announcing events (`restoring`).
      .seed = Script(R"lua(
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[2]), ARGV[1])
redis.call('SET', KEYS[3], ARGV[5], 'NX')
local epoch = redis.call('GET', KEYS[3])
restoring = ARGV[4] ~= '' and epoch ~= ARGV[4]
for i = 6, #ARGV, 6 do
  local kind, app, channel, user, info, k = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], tonumber(ARGV[i+5])
  local ap = app_prefix(ARGV[3], app)
  if kind == 'a' then
    redis.call('HSET', KEYS[2], 'a\0' .. app, 1)
  elseif kind == 's' then
    redis.call('HINCRBY', KEYS[2], 's\0' .. app .. '\0' .. channel, k)
    add_subscriptions(ap, channel, k)
  elseif kind == 'm' then
    redis.call('HINCRBY', KEYS[2], 'm\0' .. app .. '\0' .. channel .. '\0' .. user, k)
    add_member(ap, channel, user, info, k, tonumber(redis.call('HGET', ap .. 'counts', channel) or '0'))
  elseif kind == 'u' then
    redis.call('HINCRBY', KEYS[2], 'u\0' .. app .. '\0' .. user, k)
    add_online(ap, user, k)
  end
end
return epoch
)lua"),
      // KEYS: nodes, node (of the node reaped). ARGV: node reaped, prefix, batch size, force
      // ('1': retire it whatever its lease says). Takes up to a batch of its contribution
      // away, member connections before subscriptions.
      // -> 'ALIVE' (its lease is current: nothing done) | 'MORE' | 'DONE' | 'GONE' (another
      //    reap finished it)
      .reap = Script(R"lua(
if ARGV[4] ~= '1' then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if score and tonumber(score) > now_ms() then return 'ALIVE' end
end
-- From here it holds no lease, so nothing of its own is added any more (join, sign and the
-- heartbeat check the lease); what it still sends to take away finds nothing. It stays listed,
-- revoked and expired, until its share is gone: a reap cut short (a dropped connection, a reaper
-- that died) is finished by whoever finds it expired next.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('EXISTS', KEYS[2]) == 0 then
  return 'GONE'
end
redis.call('ZADD', KEYS[1], 0, ARGV[1])
local fields = redis.call('HRANDFIELD', KEYS[2], tonumber(ARGV[3]), 'WITHVALUES')
local order = {m = 1, s = 2, u = 3, a = 4}
local entries = {}
for i = 1, #fields, 2 do entries[#entries + 1] = {split(fields[i]), tonumber(fields[i + 1]), fields[i]} end
table.sort(entries, function(x, y) return (order[x[1][1]] or 9) < (order[y[1][1]] or 9) end)
for _, e in ipairs(entries) do
  local parts, k = e[1], e[2]
  local ap = app_prefix(ARGV[2], parts[2] or '')
  if parts[1] == 'm' then
    local n = tonumber(redis.call('HGET', ap .. 'counts', parts[3]) or '0')
    drop_member(ap, parts[3], parts[4], k, math.max(n - k, 0))
  elseif parts[1] == 's' then
    drop_subscriptions(ap, parts[3], k)
  elseif parts[1] == 'u' then
    drop_online(ap, parts[3], k)
  elseif parts[1] == 'a' then
    redis.call('HDEL', ap .. 'connections', ARGV[1])
    redis.call('HDEL', ap .. 'figures', ARGV[1])
  end
  redis.call('HDEL', KEYS[2], e[3])
end
if redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 'DONE'
end
return 'MORE'
)lua"),
      // KEYS: nodes, webhook leader. ARGV: node, lease ms, want to lead ('1'), prefix, then
      // triples of app, this node's connections, its traffic figures ('' = none shared;
      // traffic_figures.h: kept with the time in front).
      // -> {'OK', leads (0/1), {other nodes' connections per app}, {expired nodes}} | {'NOLEASE'}
      .heartbeat = Script(R"lua(
local now = now_ms()
if not holds_lease(KEYS[1], ARGV[1]) then return {'NOLEASE'} end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
local leads = 0
if ARGV[3] == '1' then
  local current = redis.call('GET', KEYS[2])
  if not current then
    redis.call('SET', KEYS[2], ARGV[1], 'PX', lease)
    leads = 1
  elseif current == ARGV[1] then
    redis.call('PEXPIRE', KEYS[2], lease)
    leads = 1
  end
end
local others = {}
for i = 5, #ARGV, 3 do
  local ap = app_prefix(ARGV[4], ARGV[i])
  local key = ap .. 'connections'
  redis.call('HSET', key, ARGV[1], ARGV[i + 1])
  if ARGV[i + 2] ~= '' then redis.call('HSET', ap .. 'figures', ARGV[1], now .. ' ' .. ARGV[i + 2]) end
  local total = 0
  for _, v in ipairs(redis.call('HVALS', key)) do total = total + tonumber(v) end
  others[#others + 1] = total - tonumber(ARGV[i + 1])
end
return {'OK', leads, others, redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 16)}
)lua"),
      // KEYS: figures. -> {Redis's time (ms), {node, figures, ...}}
      .figures = Script(R"lua(
return {now_ms(), redis.call('HGETALL', KEYS[1])}
)lua"),
      // KEYS: roster, roster version. -> {version, {user, info, ...}}
      .snapshot = Script(R"lua(
return {tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HGETALL', KEYS[1])}
)lua"),
      // KEYS: counts. ARGV: prefix, app, tell subscribers and the webhooks ('1': the app's
      // enable_subscription_count), then channels.
      // -> {count per channel}
      .count_report = Script(R"lua(
local ap = app_prefix(ARGV[1], ARGV[2])
local counts = {}
for i = 4, #ARGV do
  local n = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if ARGV[3] == '1' and n > 0 then redis.call('PUBLISH', ap .. 'c:' .. ARGV[i], msg('N', n)) end
  -- Without the app's subscription counts no webhook sends them.
  channel_event(ap, 7, ARGV[i], '', n, ARGV[3] == '1')
  counts[#counts + 1] = n
end
return counts
)lua"),
      // ARGV: prefix, app, a 'V' message that one node emitted (a client event, a cache miss).
      .forward_event = Script(R"lua(
announce(app_prefix(ARGV[1], ARGV[2]), ARGV[3])
)lua"),
      // KEYS: counts, roster. ARGV: channel. -> {subscriptions, roster size}
      .find = Script(R"lua(
return {tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0'), redis.call('HLEN', KEYS[2])}
)lua"),
      // KEYS: occupied. ARGV: prefix, app, channel name prefix.
      // -> {name, subscriptions, roster size (-1: not presence), ...}
      .list = Script(R"lua(
local ap = app_prefix(ARGV[1], ARGV[2])
local names
if ARGV[3] == '' then names = redis.call('ZRANGEBYLEX', KEYS[1], '-', '+')
else names = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[3], '[' .. ARGV[3] .. '\255') end
local out = {}
for _, name in ipairs(names) do
  out[#out + 1] = name
  out[#out + 1] = tonumber(redis.call('HGET', ap .. 'counts', name) or '0')
  if string.sub(name, 1, 9) == 'presence-' then
    out[#out + 1] = redis.call('HLEN', ap .. 'roster:' .. name)
  else
    out[#out + 1] = -1
  end
end
return out
)lua"),
      // KEYS: webhook events, webhook cursor, webhook leader. ARGV: node, count, the cursor id
      // this node read from last, and the entry id and done count to commit ('' = nothing)
      // when the cursor still is at that id. Only the webhook leader reads and commits.
      // -> {'OK', cursor id, entries done through it (counting those trimmed unread), entries
      //    ever added, {{id, {'m', message}}, ...} after the cursor (up to count and ~4 MiB), trimmed
      //    unread} | {'NOTLEADER'} | {'NOCURSOR'}
      .webhook_read = Script(R"lua(
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return {'NOTLEADER'} end
local cursor = redis.call('HMGET', KEYS[2], 'id', 'done')
if not cursor[1] or not cursor[2] then return {'NOCURSOR'} end
local id, done = cursor[1], tonumber(cursor[2])
if ARGV[4] ~= '' and id == ARGV[3] then
  redis.call('HSET', KEYS[2], 'id', ARGV[4], 'done', ARGV[5])
  id, done = ARGV[4], tonumber(ARGV[5])
  -- What the cursor passed is sent: the stream keeps only what is still to read (and, with
  -- '~', up to a stream node of what was read), not the last maxlen entries ever added.
  redis.call('XTRIM', KEYS[1], 'MINID', '~', id)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'OK', id, done, done, {}, 0} end
local entries = redis.call('XRANGE', KEYS[1], '(' .. id, '+', 'COUNT', tonumber(ARGV[2]))
-- At most ~4 MiB of messages per answer (client events carry up to their payload limit each),
-- at least one entry: the reply stays far under the connection's reply bound, and the rest
-- comes with the next read.
local budget, kept = 4194304, {}
for i, entry in ipairs(entries) do
  local size = 0
  for j = 2, #entry[2], 2 do size = size + #entry[2][j] end
  if i > 1 and size > budget then break end
  budget = budget - size
  kept[i] = entry
end
entries = kept
local length, added, first = 0, 0, false
local info = redis.call('XINFO', 'STREAM', KEYS[1])
for i = 1, #info, 2 do
  if info[i] == 'length' then length = info[i + 1]
  elseif info[i] == 'entries-added' then added = info[i + 1]
  elseif info[i] == 'first-entry' and info[i + 1] then first = info[i + 1][1] end
end
-- Trimming takes the oldest entries: when the oldest left is past the cursor, every entry
-- added after the cursor that is not there any more was trimmed before it was read.
local function after(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local lost = 0
if first and after(first, id) then lost = math.max(added - done - length, 0) end
return {'OK', id, done + lost, added, entries, lost}
)lua"),
  };
  return *scripts;
}

}  // namespace gw::cluster
