// Raw Pusher HTTP API requests, signed here with node:crypto (protocol notes §3.1) rather than by
// an SDK, so a test can forge or alter every parameter: sign one thing, send another.
import { createHash, createHmac } from 'node:crypto';
import { TEST_APP } from './gateway.mjs';

export const md5Hex = (text) => createHash('md5').update(text).digest('hex');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

// "METHOD\nPATH\nk=v&..." over every parameter but auth_signature: keys lowercased and sorted,
// values not URL-encoded.
export function stringToSign(method, path, params) {
  const query = Object.entries(params)
    .filter(([k]) => k.toLowerCase() !== 'auth_signature')
    .map(([k, v]) => [k.toLowerCase(), String(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method.toUpperCase()}\n${path}\n${query}`;
}

export const hmacHex = (secret, text) => createHmac('sha256', secret).update(text).digest('hex');

// Sends one signed request to the gateway and resolves { status, text, json, headers }.
// - body: object (JSON-encoded here) or string; empty for GET.
// - query: the caller's own parameters (e.g. info, filter_by_prefix).
// - app / key / secret / timestamp / authVersion: the signing identity and clock.
// - beforeSign(params): alter the parameters that get signed (e.g. delete body_md5).
// - afterSign(params): alter the parameters after signing (e.g. change auth_signature).
// - sendBody: a body to send instead of the one that was signed.
// - signMethod / signPath: what the signature covers, if not the request's own method and path.
export async function apiRequest(
  gw,
  {
    method = 'POST',
    path,
    body = '',
    query = {},
    app = TEST_APP,
    key = app.key,
    secret = app.secret,
    timestamp = nowSeconds(),
    authVersion = '1.0',
    beforeSign = () => {},
    afterSign = () => {},
    sendBody,
    signMethod = method,
    signPath = path,
    headers = {},
  },
) {
  const bodyText = typeof body === 'string' ? body : JSON.stringify(body);
  const params = {
    ...query,
    auth_key: key,
    auth_timestamp: String(timestamp),
    auth_version: authVersion,
  };
  if (bodyText.length > 0) params.body_md5 = md5Hex(bodyText);
  beforeSign(params);
  params.auth_signature = hmacHex(secret, stringToSign(signMethod, signPath, params));
  afterSign(params);
  const search = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const sent = sendBody ?? bodyText;
  const response = await fetch(`${gw.httpUrl}${path}?${search}`, {
    method,
    headers: sent.length > 0 ? { 'content-type': 'application/json', ...headers } : headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : sent,
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

// POST /apps/{id}/events. `event` is the JSON body ({name, data, channels|channel, ...}).
export function trigger(gw, event, options = {}) {
  const app = options.app ?? TEST_APP;
  return apiRequest(gw, { path: `/apps/${app.id}/events`, body: event, ...options });
}

// POST /apps/{id}/batch_events with {"batch": events}.
export function triggerBatch(gw, events, options = {}) {
  const app = options.app ?? TEST_APP;
  return apiRequest(gw, { path: `/apps/${app.id}/batch_events`, body: { batch: events }, ...options });
}

// GET with signed query.
export function apiGet(gw, path, query = {}, options = {}) {
  return apiRequest(gw, { method: 'GET', path, query, ...options });
}
