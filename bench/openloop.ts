// Tiny bounded open-loop HTTP/1.1 load generator (fixed request rate) on raw sockets. The harness
// uses it for https targets and where bench/openloop.c (the precise one) cannot be compiled: it
// can only wake on a 1 ms timer, so up to ~1 ms of its own slack lands in every latency.
// Requests are scheduled at start + i/rate regardless of how fast responses come back, and latency is
// measured from the *scheduled* send time, so queueing in the gateway is not hidden (no coordinated
// omission). Prints one JSON line with the result on stdout.
// Usage: node openloop.js --url http://127.0.0.1:8080/plain --rate 5000 --duration 10 [--connections 64]
//        [--warmup 1] [--header 'k: v' ...] [--max-inflight 20000] [--tokens-file tokens.txt]
//        [--method POST --body-file body.json]   (every request carries the file's bytes)
// --tokens-file: one JWT per line; request i sends `Authorization: Bearer <token i % n>`.
// https URLs are accepted without certificate verification (the bench's self-signed loopback cert).
// The first --warmup seconds run at the same rate but are not recorded (JIT of the generator and target).
//
// Why raw sockets: the first version used undici and spent about half a core at 5 000 req/s on a
// 2-core machine, competing with the candidate it measured. Requests here are prebuilt buffers and
// responses are parsed only as far as needed to find their end (Content-Length or chunked), so the
// generator costs a fraction of that. One request per connection at a time (no pipelining); a request
// waits in a FIFO for a free connection, and that wait counts in its latency.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '64' },
    header: { type: 'string', multiple: true, default: [] },
    'max-inflight': { type: 'string', default: '20000' },
    'drain-timeout': { type: 'string', default: '5' },
    'tokens-file': { type: 'string' },
    method: { type: 'string', default: 'GET' },
    'body-file': { type: 'string' },
  },
});
const url = new URL(values.url!);
const rate = Number(values.rate);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const maxInflight = Number(values['max-inflight']);
const isTls = url.protocol === 'https:';
const port = Number(url.port || (isTls ? 443 : 80));
const host = url.hostname;

let headerText = '';
for (const h of values.header) {
  const i = h.indexOf(':');
  if (i > 0) headerText += `${h.slice(0, i).trim()}: ${h.slice(i + 1).trim()}\r\n`;
}
// --body-file: every request carries these bytes (the Content-Type comes as a --header).
const reqBody = values['body-file'] ? readFileSync(values['body-file']) : null;
if (reqBody) headerText += `Content-Length: ${reqBody.length}\r\n`;
const head = `${values.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n${headerText}`;
const withBody = (h: string): Buffer => (reqBody ? Buffer.concat([Buffer.from(h, 'latin1'), reqBody]) : Buffer.from(h, 'latin1'));
// Requests are built up front so rotating tokens costs the generator no work per request.
const requests: Buffer[] = values['tokens-file']
  ? readFileSync(values['tokens-file'], 'utf8')
      .split('\n')
      .filter((t) => t.trim())
      .map((t) => withBody(`${head}Authorization: Bearer ${t.trim()}\r\n\r\n`))
  : [withBody(`${head}\r\n`)];
let nextRequest = 0;

const warmupCount = Math.round(rate * warmup);
const total = warmupCount + Math.max(1, Math.round(rate * duration));
const latencies = new Float64Array(total);
let completed = 0;
let errors = 0;
let non2xx = 0;
let dropped = 0;
let inflight = 0;
let bytes = 0;
let measureStart = Infinity;

/** Scheduled send times (ms) waiting for a free connection; NaN = unrecorded warm-up probe. */
const waiting: number[] = [];
let waitingHead = 0;

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Incremental HTTP/1.1 response reader: tells when one whole response has arrived. */
class Conn {
  socket: net.Socket | tls.TLSSocket | null = null;
  busy = false;
  scheduled = 0;
  private buf: Buffer | null = null;
  private status = 0;
  /** Body bytes still expected (Content-Length), -1 = chunked, -2 = headers not read yet. */
  private remaining = -2;
  private closeAfter = false;
  private respBytes = 0;

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        s.setNoDelay(true);
        resolve();
      };
      const s = isTls ? tls.connect({ host, port, rejectUnauthorized: false, servername: undefined }, onConnect) : net.connect({ host, port }, onConnect);
      s.on('data', (d: Buffer) => this.onData(d));
      s.on('error', (e) => {
        if (!this.socket) reject(e);
      });
      s.on('close', () => this.onClose());
      this.socket = s;
    });
  }

  send(scheduled: number): void {
    this.busy = true;
    this.scheduled = scheduled;
    this.buf = null;
    this.remaining = -2;
    this.respBytes = 0;
    this.closeAfter = false;
    this.socket!.write(requests[nextRequest++ % requests.length]!);
  }

  private onData(d: Buffer): void {
    if (!this.busy) return;
    this.respBytes += d.length;
    let b = this.buf ? Buffer.concat([this.buf, d]) : d;
    if (this.remaining === -2) {
      const end = b.indexOf(CRLFCRLF);
      if (end < 0) return void (this.buf = b);
      const headText = b.toString('latin1', 0, end);
      this.status = Number(headText.slice(9, 12));
      const lower = headText.toLowerCase();
      const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
      this.closeAfter = /\r\nconnection:\s*close/.test(lower);
      if (/\r\ntransfer-encoding:\s*chunked/.test(lower)) this.remaining = -1;
      else this.remaining = cl ? Number(cl[1]) : 0;
      b = b.subarray(end + 4);
    }
    if (this.remaining >= 0) {
      if (b.length < this.remaining) {
        this.remaining -= b.length;
        this.buf = null;
        return;
      }
      return this.done();
    }
    // Chunked: done once the last chunk (size 0) and its terminating blank line have arrived.
    this.buf = b;
    if (chunkedComplete(b)) this.done();
  }

  private done(): void {
    const latency = performance.now() - this.scheduled;
    const record = this.scheduled >= measureStart;
    if (record) {
      bytes += this.respBytes;
      if (this.status < 200 || this.status > 299) non2xx++;
      latencies[completed++] = latency;
    }
    this.busy = false;
    this.buf = null;
    inflight--;
    if (this.closeAfter) return void this.socket?.destroy();
    pump(this);
    if (sent < total) sendDue();
  }

  private onClose(): void {
    if (this.busy) {
      this.busy = false;
      inflight--;
      if (this.scheduled >= measureStart) errors++;
    }
    this.socket = null;
    // Reconnect so the pool keeps its size; queued requests wait for it.
    if (!finished) {
      this.open().then(
        () => pump(this),
        () => undefined,
      );
    }
  }
}

/** Walks chunk headers; true once the zero-size chunk and the final CRLF are in `b`. */
function chunkedComplete(b: Buffer): boolean {
  let i = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) return false;
    const size = parseInt(b.toString('latin1', i, eol), 16);
    if (Number.isNaN(size)) return false;
    if (size === 0) return b.indexOf(CRLFCRLF, eol) >= 0 || (b.length >= eol + 4 && b[eol + 2] === 13);
    i = eol + 2 + size + 2;
    if (i > b.length) return false;
  }
}

let finished = false;
const conns: Conn[] = Array.from({ length: connections }, () => new Conn());
const idle: Conn[] = [];

function pump(c: Conn): void {
  if (c.socket === null || c.busy) return;
  if (waitingHead < waiting.length) {
    c.send(waiting[waitingHead++]!);
    if (waitingHead > 4096 && waitingHead * 2 > waiting.length) {
      waiting.splice(0, waitingHead);
      waitingHead = 0;
    }
  } else idle.push(c);
}

// Idle connections are used in FIFO order, so every connection carries requests regularly: with a
// LIFO stack a few hot connections carried everything and the others sat idle until the server's
// keep-alive timeout closed them, racing requests sent on them at that moment.
function submit(scheduled: number): void {
  inflight++;
  while (idle.length > 0) {
    const c = idle.shift()!;
    if (c.socket !== null && !c.busy) return c.send(scheduled);
  }
  waiting.push(scheduled);
}

let start = Infinity;
const interval = 1000 / rate;
let sent = 0;
/** Sends every request whose time has come. Called from the 1 ms timer and also after each
 * response is read: under load responses arrive far more often than the timer fires, so
 * requests leave closer to their scheduled time (the timer alone added up to ~1 ms of slack to
 * every latency) at no extra CPU. */
function sendDue(): void {
  const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
  while (sent < due) {
    const scheduled = start + sent * interval;
    sent++;
    if (inflight < maxInflight) submit(scheduled);
    else if (scheduled >= measureStart) dropped++;
  }
}
// Open the connections first (not measured), so the run does not start with 64 TCP handshakes,
// and send one unrecorded request on each.
await Promise.all(conns.map((c) => c.open()));
for (const c of conns) idle.push(c);
for (let i = 0; i < connections; i++) submit(-Infinity);
const probeDeadline = performance.now() + 10_000;
while (inflight > 0 && performance.now() < probeDeadline) await new Promise((r) => setTimeout(r, 5));

start = performance.now();
measureStart = start + warmup * 1000;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    sendDue();
    if (sent >= total) resolve();
    else setTimeout(tick, 1);
  };
  tick();
});
const sendEnd = performance.now();
const drainDeadline = sendEnd + Number(values['drain-timeout']) * 1000;
while (inflight > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 5));
const end = performance.now();
const timedOut = inflight;
finished = true;

const lat = latencies.subarray(0, completed).sort();
const pct = (p: number): number | null => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)] : null);
process.stdout.write(
  JSON.stringify({
    tool: 'openloop',
    targetRate: rate,
    sent: sent - warmupCount,
    completed,
    errors,
    non2xx,
    dropped,
    timedOut,
    bytes,
    sendSeconds: (sendEnd - measureStart) / 1000,
    // completed responses over the measured window (a server that keeps up shows ~= targetRate)
    rps: completed / ((end - measureStart) / 1000),
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: lat.length ? lat[lat.length - 1] : null,
  }) + '\n',
);
for (const c of conns) c.socket?.destroy();
process.exit(0);
