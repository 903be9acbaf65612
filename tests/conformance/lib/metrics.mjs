// Reads one series of the gateway's /metrics (on its operator listener).

// The value of `name` with exactly `labels` (as rendered, e.g. '{app="a",reason="b"}'), or 0
// when the series is absent.
export async function metric(gw, name, labels = '') {
  const text = await (await fetch(`${gw.operatorUrl}/metrics`)).text();
  const escaped = `${name}${labels}`.replace(/[{}"=,]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}
