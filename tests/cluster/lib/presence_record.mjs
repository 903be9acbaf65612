// A presence client's record, replayed: what it was told, in order, checked against the rules
// the issue states (no member_added for a member its roster lists, no member_removed for one it
// does not, no member event while not subscribed). The test writes markers into the record
// where it sends a subscribe or an unsubscribe, so that frames in flight are told apart.
import { subscribe } from '../../conformance/lib/clients.mjs';

export const ADDED = 'pusher_internal:member_added';
export const REMOVED = 'pusher_internal:member_removed';
export const SUCCEEDED = 'pusher_internal:subscription_succeeded';
// Markers the test writes into a client's record where it sends a subscribe / an unsubscribe.
export const JOINING = '#test:subscribe-sent';
export const LEAVING = '#test:unsubscribe-sent';

const decoded = (m) => (typeof m.data === 'string' ? JSON.parse(m.data) : m.data);

// Replays one client's record of `channel`: its roster as it stands, whether it is subscribed,
// and every violation of the rules above. States: 'out'; 'joining' from a subscribe sent to its
// subscription_succeeded; 'in'; 'leaving' from an unsubscribe sent to the pong of the ping sent
// behind it (frames sent before the server read the unsubscribe may arrive meanwhile).
export function replay(record, channel) {
  let state = 'out';
  let roster = new Set();
  const violations = [];
  for (const m of record) {
    if (m.event === JOINING) {
      state = 'joining';
    } else if (m.event === LEAVING) {
      state = 'leaving';
    } else if (m.event === 'pusher:pong') {
      if (state === 'leaving') state = 'out';
    } else if (m.channel !== channel || state === 'leaving') {
      // another channel's traffic, or in flight when the client left
    } else if (m.event === SUCCEEDED) {
      if (state !== 'joining') violations.push(`subscription_succeeded while ${state}`);
      roster = new Set(decoded(m).presence.ids);
      state = 'in';
    } else if (m.event === ADDED || m.event === REMOVED) {
      const user = decoded(m).user_id;
      if (state !== 'in') {
        violations.push(`${m.event} ${user} while ${state}`);
      } else if (m.event === ADDED) {
        if (roster.has(user)) violations.push(`duplicate member_added ${user}`);
        roster.add(user);
      } else {
        if (!roster.has(user)) violations.push(`member_removed ${user} never added`);
        roster.delete(user);
      }
    }
  }
  return { subscribed: state === 'in', roster: [...roster].sort(), violations };
}

// Subscribes a pusher-js client to a presence channel with the marker in its record first.
export function subscribeRecorded(client, channel) {
  client.received.push({ event: JOINING });
  return subscribe(client, channel);
}
