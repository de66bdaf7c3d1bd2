#!/usr/bin/env node
// Container HEALTHCHECK (Dockerfile): exit 0 when the gateway's health endpoint answers 200.
// Plain Node, no shell or curl in the image. RAMPART_HEALTH_URL overrides the address (another
// port or `health_path`); a TLS listener needs an https URL and a CA the image trusts.
const url = process.env.RAMPART_HEALTH_URL || 'http://127.0.0.1:8080/__health';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  process.exit(res.status === 200 ? 0 : 1);
} catch (err) {
  process.stderr.write(`healthcheck ${url}: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
}
