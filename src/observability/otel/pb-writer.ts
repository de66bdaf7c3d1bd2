// A minimal protobuf writer for OTLP spans (opentelemetry/proto/trace/v1/trace.proto field
// numbers), so the request path records a span as a few byte copies: names, kinds and static
// attributes are encoded once per route at startup (`kv`, `field`), ids are written from their
// hex, and only the values a request has (path, status, times) are encoded per span.
// Only what spans need: varints below 2^32, fixed64 times, length-delimited fields.

/** Field tags (field number << 3 | wire type) of the messages written here. */
export const TAG = {
  // Span
  traceId: 0x0a,
  spanId: 0x12,
  traceState: 0x1a,
  parentSpanId: 0x22,
  name: 0x2a,
  kind: 0x30,
  start: 0x39,
  end: 0x41,
  attribute: 0x4a,
  status: 0x7a,
  // Status
  statusMessage: 0x12,
  statusCode: 0x18,
  // KeyValue, AnyValue
  key: 0x0a,
  value: 0x12,
  stringValue: 0x0a,
  boolValue: 0x10,
  intValue: 0x18,
  doubleValue: 0x21,
  // Span.events, Event
  event: 0x5a,
  eventTime: 0x09,
  eventName: 0x12,
} as const;

export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** A 32-bit word, big-endian, at `p`; returns the position after it. */
export function putWord(b: Buffer, p: number, v: number): number {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
  return p + 4;
}

/** A fixed64 field holding nanoseconds since the epoch (a double: ~256 ns of precision) at `p`,
 * little-endian, byte by byte (writeUInt32LE checks its arguments on every call); returns the
 * position after it. */
export function putNanos(b: Buffer, p: number, tag: number, ns: number): number {
  const hi = Math.floor(ns / 4294967296);
  const lo = Math.max(0, Math.round(ns - hi * 4294967296)) >>> 0;
  b[p] = tag;
  b[p + 1] = lo & 0xff;
  b[p + 2] = (lo >>> 8) & 0xff;
  b[p + 3] = (lo >>> 16) & 0xff;
  b[p + 4] = lo >>> 24;
  b[p + 5] = hi & 0xff;
  b[p + 6] = (hi >>> 8) & 0xff;
  b[p + 7] = (hi >>> 16) & 0xff;
  b[p + 8] = (hi >>> 24) & 0xff;
  return p + 9;
}

/** A growable buffer; `pos` is where the next byte goes. */
export class PbWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned, below 2^32 (lengths, enums, small ints). The caller has ensured 5 bytes. */
  varint(v: number): void {
    const b = this.buf;
    while (v > 0x7f) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  raw(bytes: Buffer): void {
    this.ensure(bytes.length);
    // TypedArray#set: no argument checks, unlike Buffer#copy.
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A 32-bit word, big-endian (ids). The caller has ensured 4 bytes. */
  word(v: number): void {
    this.pos = putWord(this.buf, this.pos, v);
  }

  /** A 16-byte id field (trace id) from its four words. */
  id16(tag: number, a: number, b: number, c: number, d: number): void {
    this.ensure(18);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = 16;
    this.word(a);
    this.word(b);
    this.word(c);
    this.word(d);
  }

  /** An 8-byte id field (span ids) from its two words. */
  id8(tag: number, a: number, b: number): void {
    this.ensure(10);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = 8;
    this.word(a);
    this.word(b);
  }

  /** A bytes field from lower-case hex. */
  hex(tag: number, hex: string): void {
    const n = hex.length >> 1;
    this.ensure(n + 2);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = n;
    this.pos += this.buf.write(hex, this.pos, n, 'hex');
  }

  string(tag: number, s: string): void {
    this.ensure(s.length + 6);
    const start = this.pos;
    this.buf[this.pos++] = tag;
    this.varint(s.length);
    if (this.ascii(s)) return;
    this.pos = start;
    const n = Buffer.byteLength(s);
    this.ensure(n + 6);
    this.buf[this.pos++] = tag;
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** Copies `s` byte per char if it is all ASCII (then its UTF-8 is itself) and returns true;
   * else leaves `pos` anywhere and returns false (the caller rewinds and writes UTF-8). Why: the
   * values of a request (a path, an IP, a user agent) are short ASCII, and a loop of byte stores
   * costs less than Buffer.byteLength plus Buffer#write (two calls into C++, argument checks).
   * The caller has ensured s.length bytes. */
  private ascii(s: string): boolean {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      b[p++] = c;
    }
    this.pos = p;
    return true;
  }

  /** A fixed64 field holding nanoseconds since the epoch (putNanos). */
  nanos(tag: number, ns: number): void {
    this.ensure(9);
    this.pos = putNanos(this.buf, this.pos, tag, ns);
  }

  /** A string attribute (Span.attributes KeyValue) whose key part is pre-encoded by `keyBytes`. */
  stringAttr(key: Buffer, value: string): void {
    const start = this.pos;
    if (value.length < 126) {
      // Short ASCII (the usual case): one-byte lengths for the string and its AnyValue (below
      // 128 bytes), written without measuring the string first.
      const any = 2 + value.length;
      const kv = key.length + 2 + any;
      this.ensure(kv + 8);
      const b = this.buf;
      b[this.pos++] = TAG.attribute;
      this.varint(kv);
      b.set(key, this.pos);
      this.pos += key.length;
      b[this.pos++] = TAG.value;
      b[this.pos++] = any;
      b[this.pos++] = TAG.stringValue;
      b[this.pos++] = value.length;
      if (this.ascii(value)) return;
      this.pos = start;
    }
    const n = Buffer.byteLength(value);
    const any = 1 + varintSize(n) + n;
    const kv = key.length + 1 + varintSize(any) + any;
    this.ensure(kv + 16);
    const b = this.buf;
    b[this.pos++] = TAG.attribute;
    this.varint(kv);
    b.set(key, this.pos);
    this.pos += key.length;
    b[this.pos++] = TAG.value;
    this.varint(any);
    b[this.pos++] = TAG.stringValue;
    this.varint(n);
    this.pos += b.write(value, this.pos, n, 'utf8');
  }

  /** A string attribute whose key is only known per request (report_headers). */
  dynamicStringAttr(key: string, value: string): void {
    const kn = Buffer.byteLength(key);
    const n = Buffer.byteLength(value);
    const any = 1 + varintSize(n) + n;
    const kv = 1 + varintSize(kn) + kn + 1 + varintSize(any) + any;
    this.ensure(kv + 16);
    const b = this.buf;
    b[this.pos++] = TAG.attribute;
    this.varint(kv);
    b[this.pos++] = TAG.key;
    this.varint(kn);
    this.pos += b.write(key, this.pos, kn, 'utf8');
    b[this.pos++] = TAG.value;
    this.varint(any);
    b[this.pos++] = TAG.stringValue;
    this.varint(n);
    this.pos += b.write(value, this.pos, n, 'utf8');
  }

  /** A non-negative integer attribute below 2^32 (status codes). */
  intAttr(key: Buffer, value: number): void {
    const any = 1 + varintSize(value);
    const kv = key.length + 1 + varintSize(any) + any;
    this.ensure(kv + 8);
    const b = this.buf;
    b[this.pos++] = TAG.attribute;
    this.varint(kv);
    b.set(key, this.pos);
    this.pos += key.length;
    b[this.pos++] = TAG.value;
    this.varint(any);
    b[this.pos++] = TAG.intValue;
    this.varint(value);
  }

  /** A double attribute (durations in seconds: detailed_connection). */
  doubleAttr(key: Buffer, value: number): void {
    this.ensure(key.length + 14);
    const b = this.buf;
    b[this.pos++] = TAG.attribute;
    this.varint(key.length + 11);
    b.set(key, this.pos);
    this.pos += key.length;
    b[this.pos++] = TAG.value;
    b[this.pos++] = 9;
    b[this.pos++] = TAG.doubleValue;
    this.pos = b.writeDoubleLE(value, this.pos);
  }

  /** A span event without attributes: its time and its name field (pre-encoded, stringField). */
  event(name: Buffer, ns: number): void {
    this.ensure(6);
    this.buf[this.pos++] = TAG.event;
    this.varint(9 + name.length);
    this.nanos(TAG.eventTime, ns);
    this.raw(name);
  }

  /** The bytes written so far, copied. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** The key part of a KeyValue (field 1), for stringAttr/intAttr. */
export function keyBytes(key: string): Buffer {
  const w = new PbWriter(64);
  w.string(TAG.key, key);
  return w.take();
}

/** A whole attribute field, encoded once (static attributes, route names). */
export function kv(key: string, value: string | boolean | number): Buffer {
  const w = new PbWriter(64);
  const k = keyBytes(key);
  if (typeof value === 'string') w.stringAttr(k, value);
  else if (typeof value === 'number') w.intAttr(k, value);
  else {
    w.byte(TAG.attribute);
    w.ensure(5);
    w.varint(k.length + 4);
    w.raw(k);
    w.raw(Buffer.from([TAG.value, 2, TAG.boolValue, value ? 1 : 0]));
  }
  return w.take();
}

/** A length-delimited field around already encoded bytes. */
export function field(tag: number, bytes: Buffer): Buffer {
  const w = new PbWriter(bytes.length + 6);
  w.byte(tag);
  w.ensure(5);
  w.varint(bytes.length);
  w.raw(bytes);
  return w.take();
}

/** A string field, encoded once. */
export function stringField(tag: number, s: string): Buffer {
  const w = new PbWriter(Buffer.byteLength(s) + 6);
  w.string(tag, s);
  return w.take();
}
