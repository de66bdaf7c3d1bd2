// The span recorder of the request path (telemetry/opentelemetry traces), in place of the SDK's
// Span objects: with the SDK, three spans per request (attribute maps, sanitizing, hrtime, then
// otlp-transformer's serialization of each) cost more than the whole plain route. Here a span is
// a small object while open; when it ends, its OTLP protobuf bytes (pb-writer.ts: names, kinds
// and static attributes encoded once per route) are appended to a batch. A timer (or the 2048th span)
// wraps the batch in an ExportTraceServiceRequest, once per batch, and hands it to the SDK's OTLP
// export delegates (trace-senders.ts: HTTP or gRPC, retries, timeouts, headers and TLS are the
// SDK's). Ids come from the CSPRNG pool (id-words.ts), never Math.random.
import type { TraceParent } from '../../core/request.js';
import { PbWriter, TAG, field, kv, putNanos, putWord, stringField, varintSize } from './pb-writer.js';
import { randomWord } from './id-words.js';

// A traceparent's bytes, "00-" trace id "-" span id "-" flags, hex digits filled in per call
// and read back as one flat Latin-1 string (no hex conversion call, no slices or concatenation:
// undici checks every header value with a regular expression, which first flattens a
// concatenated string).
const TP = Buffer.from('00-00000000000000000000000000000000-0000000000000000-00', 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');

function hexWord(v: number, at: number): void {
  for (let i = 7; i >= 0; i--) {
    TP[at + i] = HEX[v & 15];
    v >>>= 4;
  }
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
export const STATUS_ERROR = 2;

/** Where batches go: one per OTLP exporter that takes traces. */
export interface TraceSink {
  export(request: Uint8Array, spans: number): void;
  shutdown(): Promise<void>;
}

/** An open span; also the parent of the spans started under it. */
export class LeanSpan implements TraceParent {
  constructor(
    readonly t0: number,
    readonly t1: number,
    readonly t2: number,
    readonly t3: number,
    readonly s0: number,
    readonly s1: number,
    /** The parent's span id; `hasParent` false for a root span. */
    readonly p0: number,
    readonly p1: number,
    readonly hasParent: boolean,
    readonly sampled: boolean,
    readonly state: string | undefined,
    /** ms since the epoch. */
    readonly startMs: number,
  ) {}

  /** The W3C traceparent naming this span, for the next hop (one native hex conversion). */
  traceparent(): string {
    hexWord(this.t0, 3);
    hexWord(this.t1, 11);
    hexWord(this.t2, 19);
    hexWord(this.t3, 27);
    hexWord(this.s0, 36);
    hexWord(this.s1, 44);
    TP[54] = this.sampled ? 0x31 : 0x30;
    return TP.toString('latin1', 0, 55);
  }
}

// An export costs the same ~0.3-0.7 ms of CPU whether it carries 1 KB or 400 KB (the SDK's
// delegate, an HTTP request and its answer; measured on this machine, client and receiver in one
// process): at three spans per request, 512-span batches cost ~2 µs per request, 2048 a quarter
// of that. 2048 spans of a few hundred bytes stay well below BATCH_BYTES.
const BATCH_SPANS = 2048;
const BATCH_BYTES = 1 << 20;

// performance.timeOrigin is a getter into C++ on every read: read once.
const ORIGIN = performance.timeOrigin;

/** ms since the epoch, sub-µs resolution. */
export function nowMs(): number {
  return ORIGIN + performance.now();
}

export interface LeanTracerOptions {
  resource: Readonly<Record<string, string>>;
  scope: { name: string; version: string };
  /** 1: every request; between 0 and 1: a sampled parent decides, else this ratio. */
  sampleRate: number;
  sinks: TraceSink[];
  flushMs: number;
}

/** Room left before a span for its ScopeSpans.spans tag and length (two bytes: up to 16 KiB). */
const SPAN_HEAD = 3;
/** A span's trace id, span id and parent id fields (18 + 10 + 10) and its two times (9 + 9). */
const ID_TIME_BYTES = 56;

export class LeanTracer {
  /** The batch: ScopeSpans.spans fields, each span written in place (open() to commit()). */
  private readonly batch = new PbWriter(64 * 1024);
  /** Where the span being written starts (its head), or -1. */
  private spanAt = -1;
  private spans = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly head: Buffer;
  private readonly scopeField: Buffer;
  private readonly always: boolean;
  /** Spans recorded, and batches handed to the sinks (tests and the bench read these). */
  recorded = 0;
  batches = 0;

  constructor(private readonly o: LeanTracerOptions) {
    // Resource.attributes is field 1 (a span's is 9): same KeyValue bytes, another tag.
    const resource = Buffer.concat(
      Object.entries(o.resource).map(([k, v]) => {
        const b = kv(k, v);
        b[0] = 0x0a;
        return b;
      }),
    );
    const scope = Buffer.concat([stringField(0x0a, o.scope.name), stringField(0x12, o.scope.version)]);
    // ResourceSpans.resource (1) and ScopeSpans.scope (1): the same for every batch.
    this.head = field(0x0a, resource);
    this.scopeField = field(0x0a, scope);
    this.always = o.sampleRate >= 1;
    this.timer = setInterval(() => this.flush(), o.flushMs);
    this.timer.unref();
  }

  /** A new span under `parent`, or the root of a new trace, started `startMs` (default now).
   * Ids are never all zero (W3C). */
  start(parent: TraceParent | undefined, startMs = nowMs()): LeanSpan {
    const s0 = randomWord();
    const s1 = randomWord() || 1;
    if (parent === undefined) {
      const t0 = randomWord();
      return new LeanSpan(t0, randomWord(), randomWord(), randomWord() || 1, s0, s1, 0, 0, false, this.sampleRoot(), undefined, startMs);
    }
    const sampled = this.always || parent.sampled;
    return new LeanSpan(parent.t0, parent.t1, parent.t2, parent.t3, s0, s1, parent.s0, parent.s1, true, sampled, parent.state, startMs);
  }

  private sampleRoot(): boolean {
    return this.always || Math.random() < this.o.sampleRate;
  }

  /** Starts writing an ended span (ended `endMs`, default now): ids, trace state and times. The
   * caller adds its name, kind and attributes to the returned writer, then calls commit(). Only
   * for sampled spans. The span is written straight into the batch, after room for its head. */
  open(span: LeanSpan, endMs = nowMs()): PbWriter {
    const w = this.batch;
    // A span opened and never committed (a throw between the two) is overwritten.
    if (this.spanAt >= 0) w.pos = this.spanAt;
    const at = w.pos;
    this.spanAt = at;
    // Head room, trace id, span id, parent id and both times in one go: one bounds check and a
    // local position instead of six writer calls (this runs three times per request).
    w.ensure(SPAN_HEAD + ID_TIME_BYTES);
    const b = w.buf;
    let p = at + SPAN_HEAD;
    b[p++] = TAG.traceId;
    b[p++] = 16;
    p = putWord(b, p, span.t0);
    p = putWord(b, p, span.t1);
    p = putWord(b, p, span.t2);
    p = putWord(b, p, span.t3);
    b[p++] = TAG.spanId;
    b[p++] = 8;
    p = putWord(b, p, span.s0);
    p = putWord(b, p, span.s1);
    if (span.state) {
      w.pos = p;
      w.string(TAG.traceState, span.state);
      w.ensure(ID_TIME_BYTES);
      p = w.pos;
    }
    const out = w.buf;
    if (span.hasParent) {
      out[p++] = TAG.parentSpanId;
      out[p++] = 8;
      p = putWord(out, p, span.p0);
      p = putWord(out, p, span.p1);
    }
    p = putNanos(out, p, TAG.start, span.startMs * 1e6);
    w.pos = putNanos(out, p, TAG.end, endMs * 1e6);
    return w;
  }

  /** Ends the span written since open(): its ScopeSpans.spans tag (field 2) and length go in the
   * room left before it (the span moves by a byte when its length takes one or three). */
  commit(): void {
    const b = this.batch;
    const at = this.spanAt;
    if (at < 0) return;
    this.spanAt = -1;
    const body = at + SPAN_HEAD;
    const n = b.pos - body;
    if (n < 0x80) {
      b.buf.copyWithin(at + 2, body, b.pos);
      b.buf[at] = 0x12;
      b.buf[at + 1] = n;
      b.pos--;
    } else if (n < 0x4000) {
      b.buf[at] = 0x12;
      b.buf[at + 1] = (n & 0x7f) | 0x80;
      b.buf[at + 2] = n >>> 7;
    } else {
      const extra = varintSize(n) - 2;
      b.ensure(extra);
      b.buf.copyWithin(body + extra, body, b.pos);
      b.pos = at + 1;
      b.varint(n);
      b.pos = body + extra + n;
      b.buf[at] = 0x12;
    }
    this.recorded++;
    // A full batch leaves at once (a copy and the start of one export per 2048 spans), so no
    // request burst can make one larger than 2048 spans or about 1 MiB (collectors' gRPC limit is 4 MiB).
    if (++this.spans >= BATCH_SPANS || b.pos >= BATCH_BYTES) this.flush();
  }

  /** Wraps the batch in one ExportTraceServiceRequest and hands it to every sink. */
  flush(): void {
    if (this.spanAt >= 0) {
      // Not reached (open and commit run in one go): a half-written span is never sent.
      this.batch.pos = this.spanAt;
      this.spanAt = -1;
    }
    if (this.spans === 0) return;
    const spans = this.batch.buf.subarray(0, this.batch.pos);
    const scopeSpansLen = this.scopeField.length + spans.length;
    const out = new PbWriter(scopeSpansLen + this.head.length + 32);
    const resourceSpansLen = this.head.length + 1 + varintSize(scopeSpansLen) + scopeSpansLen;
    out.byte(0x0a); // ExportTraceServiceRequest.resource_spans
    out.varint(resourceSpansLen);
    out.raw(this.head);
    out.byte(0x12); // ResourceSpans.scope_spans
    out.varint(scopeSpansLen);
    out.raw(this.scopeField);
    out.raw(spans);
    const n = this.spans;
    this.spans = 0;
    this.batch.pos = 0;
    this.batches++;
    const request = out.buf.subarray(0, out.pos);
    for (const s of this.o.sinks) s.export(request, n);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await Promise.allSettled(this.o.sinks.map((s) => s.shutdown()));
  }
}
