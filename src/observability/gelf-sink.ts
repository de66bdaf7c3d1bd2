// telemetry/gelf: application log records as GELF 1.1 messages to a Graylog input. UDP sends one
// datagram per message, chunked (GELF chunking: 0x1e 0x0f, an 8-byte id, sequence, count) when a
// message is over CHUNK bytes, at most 128 chunks; TCP sends each message followed by a NUL byte,
// reconnecting with a back-off. Bounded: over 1 MiB waiting (TCP) or a message over 128 chunks,
// messages are dropped and counted. Fields are the record's own: pino's redaction has already
// run, and nothing here adds request data.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

const CHUNK = 8192 - 12;
const MAX_CHUNKS = 128;
const MAX_PENDING = 1 << 20;

export interface GelfSink {
  /** A pino record (its JSON line) and its syslog severity. */
  write(jsonLine: string, severity: number): void;
  dropped(): number;
  close(): void;
}

const host = hostname();

/** One GELF message for a pino record: short_message, level, timestamp, the rest as _fields. */
export function gelfMessage(jsonLine: string, severity: number): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    r = { msg: jsonLine.trimEnd() };
  }
  const out: Record<string, unknown> = {
    version: '1.1',
    host,
    short_message: String(r.msg ?? ''),
    timestamp: Number(r.time ?? Date.now()) / 1000,
    level: severity,
  };
  for (const k in r) {
    if (k === 'msg' || k === 'time' || k === 'level' || k === 'v' || k === 'hostname') continue;
    // GELF field names: letters, digits, _ . -; `_id` is reserved.
    const name = `_${k.replace(/[^\w.-]/g, '_')}`;
    if (name === '_id') continue;
    const v = r[k];
    out[name] = typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v);
  }
  return JSON.stringify(out);
}

export function openGelf(target: { host: string; port: number; tcp: boolean }): GelfSink {
  let dropped = 0;
  if (!target.tcp) {
    const udp: UdpSocket = createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
    udp.unref();
    udp.on('error', () => dropped++);
    return {
      write(line, severity) {
        const msg = Buffer.from(gelfMessage(line, severity));
        if (msg.length <= CHUNK) return void udp.send(msg, target.port, target.host);
        const count = Math.ceil(msg.length / CHUNK);
        if (count > MAX_CHUNKS) return void dropped++;
        const id = randomBytes(8);
        for (let i = 0; i < count; i++) {
          const head = Buffer.from([0x1e, 0x0f, ...id, i, count]);
          udp.send(Buffer.concat([head, msg.subarray(i * CHUNK, (i + 1) * CHUNK)]), target.port, target.host);
        }
      },
      dropped: () => dropped,
      close: () => udp.close(),
    };
  }
  let sock: Socket | undefined;
  let ready = false;
  let backoff = 100;
  let closed = false;
  const queue: Buffer[] = [];
  let queued = 0;
  const flush = () => {
    while (ready && sock && queue.length) {
      const b = queue.shift();
      if (b === undefined) break; // queue.length was checked
      queued -= b.length;
      sock.write(b);
    }
  };
  const dial = () => {
    if (closed) return;
    const s = connect(target.port, target.host);
    s.unref();
    s.setNoDelay(true);
    s.on('connect', () => {
      ready = true;
      backoff = 100;
      flush();
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      ready = false;
      sock = undefined;
      if (!closed) setTimeout(dial, (backoff = Math.min(backoff * 2, 10_000))).unref();
    });
    sock = s;
  };
  dial();
  return {
    write(line, severity) {
      const b = Buffer.from(gelfMessage(line, severity) + '\0');
      if (queued + b.length > MAX_PENDING) return void dropped++;
      queue.push(b);
      queued += b.length;
      flush();
    },
    dropped: () => dropped,
    close() {
      closed = true;
      sock?.end();
    },
  };
}
