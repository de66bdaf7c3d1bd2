// A real OTLP/HTTP receiver for tests: accepts POST /v1/traces and /v1/metrics, decodes the trace
// export requests with the OTLP protobuf definitions (test/helpers/otlp-trace.proto, protobufjs),
// and keeps the spans.
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
  status: string;
  statusMessage: string;
  traceState: string;
  /** Nanoseconds since the epoch, as decimal strings. */
  start: string;
  end: string;
  /** Span events: name and time (ns since the epoch, decimal string). */
  events: { name: string; time: string }[];
  resource: Record<string, unknown>;
  scope: string;
}

export interface OtlpReceiver {
  port: number;
  /** Request headers (HTTP) or call metadata (gRPC) of every export. */
  headers: Record<string, unknown>[];
  spans: ReceivedSpan[];
  metricExports: number;
  /** Every decoded request, as JSON text (for "no secret anywhere" checks). */
  raw: string[];
  close(): Promise<void>;
}

const root = protobuf.loadSync(fileURLToPath(new URL('./otlp-trace.proto', import.meta.url)));
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

function value(v: Record<string, unknown> | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(value);
  return JSON.stringify(v);
}

function attrs(list: { key: string; value?: Record<string, unknown> }[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of list ?? []) out[a.key] = value(a.value);
  return out;
}

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '');

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const r: OtlpReceiver = { port: 0, headers: [], spans: [], metricExports: 0, raw: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      r.headers.push({ ...req.headers });
      if (req.url === '/v1/traces') {
        const msg = Request.toObject(Request.decode(body), { longs: String, enums: String, bytes: Array, defaults: false }) as { resourceSpans?: any[] };
        record(r, msg);
      } else if (req.url === '/v1/metrics') {
        r.metricExports++;
        r.raw.push(body.toString('latin1'));
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.port = (server.address() as { port: number }).port;
  r.close = () => new Promise<void>((done) => server.close(() => done()));
  return r;
}

function record(r: OtlpReceiver, msg: { resourceSpans?: any[] }): void {
  r.raw.push(JSON.stringify(msg));
  for (const rs of msg.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = `${ss.scope?.name ?? ''}@${ss.scope?.version ?? ''}`;
      for (const s of ss.spans ?? []) {
        r.spans.push({
          traceId: hex(Uint8Array.from(s.traceId ?? [])),
          spanId: hex(Uint8Array.from(s.spanId ?? [])),
          parentSpanId: hex(s.parentSpanId ? Uint8Array.from(s.parentSpanId) : undefined),
          name: s.name,
          kind: s.kind ?? 'SPAN_KIND_UNSPECIFIED',
          attributes: attrs(s.attributes),
          status: s.status?.code ?? 'STATUS_CODE_UNSET',
          statusMessage: s.status?.message ?? '',
          traceState: s.traceState ?? '',
          start: String(s.startTimeUnixNano ?? '0'),
          end: String(s.endTimeUnixNano ?? '0'),
          events: (s.events ?? []).map((e: { name?: string; timeUnixNano?: string }) => ({ name: e.name ?? '', time: String(e.timeUnixNano ?? '0') })),
          resource,
          scope,
        });
      }
    }
  }
}

/** The same receiver over gRPC (OTLP's default transport): TraceService/Export with @grpc/grpc-js;
 * over TLS when given a server certificate and key (PEM). */
export async function startOtlpGrpcReceiver(tls?: { cert: string; key: string }): Promise<OtlpReceiver> {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  const def = loader.loadSync(fileURLToPath(new URL('./otlp-trace.proto', import.meta.url)), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
  });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const r: OtlpReceiver = { port: 0, headers: [], spans: [], metricExports: 0, raw: [], close: async () => undefined };
  const server = new grpc.Server();
  server.addService(pkg.opentelemetry.proto.collector.trace.v1.TraceService.service, {
    Export: (call: any, cb: (err: null, res: object) => void) => {
      r.headers.push(call.metadata.getMap());
      const req = call.request as { resourceSpans?: any[] };
      for (const rs of req.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const sp of ss.spans ?? []) for (const k of ['traceId', 'spanId', 'parentSpanId']) if (sp[k]) sp[k] = [...sp[k]];
      record(r, req);
      cb(null, {});
    },
  });
  r.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      tls
        ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }], false)
        : grpc.ServerCredentials.createInsecure(),
      (err, port) => (err ? reject(err) : resolve(port)),
    ),
  );
  r.close = () => new Promise<void>((done) => server.tryShutdown(() => done()));
  return r;
}
