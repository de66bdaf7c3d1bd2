// The lean span recorder (observability/otel/lean-tracer.ts, pb-writer.ts, span-parts.ts): the
// batches it hands its sinks decode with the OTLP protobuf definitions (protobufjs) to the spans
// written — ids, parent links, trace state, times, kinds, names, string/int/bool attributes
// (multi-byte lengths and UTF-8 included), statuses, resource and scope; batches of 2048; the
// sampling rules; ids never all zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { LeanTracer, SPAN_KIND, type TraceSink } from '../../src/observability/otel/lean-tracer.js';
import { keyBytes } from '../../src/observability/otel/pb-writer.js';
import { errorStatus, fixedPart, outcomeParts } from '../../src/observability/otel/span-parts.js';

const root = protobuf.loadSync(fileURLToPath(new URL('../helpers/otlp-trace.proto', import.meta.url)));
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

interface Sent {
  bytes: Buffer;
  spans: number;
}

function recorder(sampleRate = 1): { tracer: LeanTracer; sent: Sent[] } {
  const sent: Sent[] = [];
  const sink: TraceSink = { export: (b, n) => void sent.push({ bytes: Buffer.from(b), spans: n }), shutdown: async () => undefined };
  const tracer = new LeanTracer({
    resource: { 'service.name': 'unit', 'service.version': '1.2.3' },
    scope: { name: 'rampart', version: '0.0.0-test' },
    sampleRate,
    sinks: [sink],
    flushMs: 60_000,
  });
  return { tracer, sent };
}

function decode(b: Buffer): any {
  return Request.toObject(Request.decode(b), { longs: String, enums: String, bytes: String, defaults: false });
}

const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
function attrs(list: any[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of list) out[a.key] = a.value.stringValue ?? a.value.boolValue ?? (a.value.intValue !== undefined ? Number(a.value.intValue) : undefined);
  return out;
}

test('a server span and its child decode to what was written', async () => {
  const { tracer, sent } = recorder();
  const before = BigInt(Date.now()) * 1_000_000n;
  const server = tracer.start({ t0: 0x4bf92f35, t1: 0x77b34da6, t2: 0xa3ce929d, t3: 0x0e0e4736, s0: 0x00f067aa, s1: 0x0ba902b7, sampled: true, state: 'v=1' });
  const child = tracer.start(server);
  assert.equal(child.traceparent(), `00-4bf92f3577b34da6a3ce929d0e0e4736-${child.traceparent().slice(36, 52)}-01`);
  let w = tracer.open(child);
  w.raw(fixedPart('GET /u/{id}', SPAN_KIND.CLIENT, { 'url.template': '/u/{id}' }));
  w.raw(outcomeParts()[5]); // error, complete
  w.intAttr(keyBytes('http.response.status_code'), 503);
  w.raw(errorStatus('backend failed'));
  tracer.commit();
  const long = 'ü'.repeat(300); // 600 bytes: two-byte lengths
  w = tracer.open(server);
  w.raw(fixedPart('GET /u/{id}', SPAN_KIND.SERVER, {}));
  w.stringAttr(keyBytes('url.path'), long);
  w.dynamicStringAttr('http.request.header.x-note', 'ok');
  tracer.commit();
  tracer.flush();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].spans, 2);
  const msg = decode(sent[0].bytes);
  const rs = msg.resourceSpans[0];
  assert.deepEqual(attrs(rs.resource.attributes), { 'service.name': 'unit', 'service.version': '1.2.3' });
  const ss = rs.scopeSpans[0];
  assert.deepEqual(ss.scope, { name: 'rampart', version: '0.0.0-test' });
  const [c, s] = ss.spans;
  assert.equal(hex(s.traceId), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(hex(s.parentSpanId), '00f067aa0ba902b7');
  assert.equal(hex(c.parentSpanId), hex(s.spanId));
  assert.equal(hex(c.spanId), child.traceparent().slice(36, 52));
  assert.equal(s.traceState, 'v=1');
  assert.equal(s.kind, 'SPAN_KIND_SERVER');
  assert.equal(c.kind, 'SPAN_KIND_CLIENT');
  assert.equal(c.name, 'GET /u/{id}');
  assert.deepEqual(attrs(c.attributes), { 'url.template': '/u/{id}', error: true, canceled: false, complete: true, 'http.response.status_code': 503 });
  assert.deepEqual(c.status, { message: 'backend failed', code: 'STATUS_CODE_ERROR' });
  assert.deepEqual(attrs(s.attributes), { 'url.path': long, 'http.request.header.x-note': 'ok' });
  assert.equal(s.status, undefined);
  const after = BigInt(Date.now() + 1) * 1_000_000n;
  for (const sp of [c, s]) {
    const [a, b] = [BigInt(sp.startTimeUnixNano), BigInt(sp.endTimeUnixNano)];
    assert.ok(before - 1_000_000n <= a && a <= b && b <= after, `${a} ${b}`);
  }
  await tracer.shutdown();
});

test('2048 spans make a batch at once; the rest leave with the next flush or at shutdown', async () => {
  const { tracer, sent } = recorder();
  const fixed = fixedPart('x', SPAN_KIND.INTERNAL, {});
  for (let i = 0; i < 2136; i++) {
    const w = tracer.open(tracer.start(undefined));
    w.raw(fixed);
    tracer.commit();
  }
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    sent.map((s) => s.spans),
    [2048],
  );
  assert.equal(decode(sent[0].bytes).resourceSpans[0].scopeSpans[0].spans.length, 2048);
  await tracer.shutdown();
  assert.deepEqual(
    sent.map((s) => s.spans),
    [2048, 88],
  );
  const roots = decode(sent[1].bytes).resourceSpans[0].scopeSpans[0].spans;
  assert.equal(new Set(roots.map((s: any) => s.traceId)).size, 88, 'each root span is a new trace');
  for (const s of roots) assert.equal(s.parentSpanId, undefined);
});

test('sampling: rate 1 records everything; below 1 a parent decides, roots by ratio; ids are never zero', async () => {
  const parent = { t0: 1, t1: 2, t2: 3, t3: 4, s0: 5, s1: 6, state: undefined };
  const all = recorder(1).tracer;
  assert.equal(all.start({ ...parent, sampled: false }).sampled, true, 'AlwaysOn ignores the parent flag (as the SDK sampler did)');
  const half = recorder(0.5).tracer;
  assert.equal(half.start({ ...parent, sampled: false }).sampled, false);
  assert.equal(half.start({ ...parent, sampled: true }).sampled, true);
  let sampled = 0;
  for (let i = 0; i < 2000; i++) {
    const s = half.start(undefined);
    if (s.sampled) sampled++;
    assert.ok(s.t0 || s.t1 || s.t2 || s.t3);
    assert.ok(s.s0 || s.s1);
  }
  assert.ok(sampled > 800 && sampled < 1200, `ratio 0.5 sampled ${sampled}/2000`);
  assert.match(half.start({ ...parent, sampled: false }).traceparent(), /^00-00000001000000020000000300000004-[0-9a-f]{16}-00$/);
  await all.shutdown();
  await half.shutdown();
});

test('spans of every length frame right (one-, two- and three-byte lengths, written in place), ASCII and not', async () => {
  const { tracer, sent } = recorder();
  const k = keyBytes('v');
  // 20 000 bytes: a three-byte length; 'é' (two UTF-8 bytes) short and long; 125/126 ASCII chars
  // either side of the short path's bound; an empty value.
  const values = ['a', 'é', 'x'.repeat(125), 'x'.repeat(126), 'é'.repeat(70), '', 'y'.repeat(20_000), 'z'.repeat(5000) + 'ü'];
  for (const v of values) {
    const w = tracer.open(tracer.start(undefined));
    w.raw(fixedPart('n', SPAN_KIND.INTERNAL, {}));
    w.stringAttr(k, v);
    w.dynamicStringAttr('d', v.slice(0, 3));
    tracer.commit();
  }
  // A span opened and not committed is not sent; the next one takes its place.
  tracer.open(tracer.start(undefined)).raw(fixedPart('lost', SPAN_KIND.INTERNAL, {}));
  const w = tracer.open(tracer.start(undefined));
  w.raw(fixedPart('kept', SPAN_KIND.INTERNAL, {}));
  tracer.commit();
  tracer.flush();
  const spans = decode(sent[0].bytes).resourceSpans[0].scopeSpans[0].spans;
  assert.equal(sent[0].spans, values.length + 1);
  assert.deepEqual(
    spans.slice(0, values.length).map((s: any) => attrs(s.attributes)),
    values.map((v) => ({ v, d: v.slice(0, 3) })),
  );
  assert.deepEqual(
    spans.map((s: any) => s.name),
    [...values.map(() => 'n'), 'kept'],
  );
  await tracer.shutdown();
});
