// The wire of lean-tracer.ts's batches. Over gRPC: the SDK's own OTLP export delegate (the one
// its OTLPTraceExporter class is made of), given a serializer that passes our already encoded
// ExportTraceServiceRequest through; retries, timeouts, the bounded number of exports in flight,
// gRPC metadata and TLS (an https:// gRPC host) stay the SDK's. Over HTTP: http-trace-sink.ts.
import type { TraceSink } from './lean-tracer.js';
import { httpTraceSink as undiciTraceSink } from './http-trace-sink.js';

interface Batch {
  bytes: Uint8Array;
  spans: number;
}
interface Delegate {
  export(b: Batch, done: (r: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

const serializer = {
  serializeRequest: (b: Batch): Uint8Array => b.bytes,
  deserializeResponse: (): object => ({}),
};
const countHelper = { name: 'span' as const, countItems: (b: Batch): number => b.spans };

/** A named export of a CommonJS package imported from ESM (its names may sit on `default`). */
async function load<T>(pkg: Promise<Record<string, unknown>>, name: string): Promise<T> {
  const m = await pkg;
  return (m[name] ?? (m.default as Record<string, unknown> | undefined)?.[name]) as T;
}

type Fn = (...args: unknown[]) => unknown;

/** OTLP/HTTP: http-trace-sink.ts (undici; the SDK's node:http delegate never got hot). */
export async function httpTraceSink(url: string, headers: Readonly<Record<string, string>>): Promise<TraceSink> {
  return undiciTraceSink(url, headers);
}

export async function grpcTraceSink(url: string, metadata: unknown): Promise<TraceSink> {
  const pkg = import('@opentelemetry/otlp-grpc-exporter-base') as Promise<Record<string, unknown>>;
  const convert = await load<Fn>(pkg, 'convertLegacyOtlpGrpcOptions');
  const create = await load<Fn>(pkg, 'createOtlpGrpcExportDelegate');
  const options = convert({ url, metadata }, 'TRACES');
  const delegate = create(
    options,
    serializer,
    'otlp_grpc_span_exporter',
    countHelper,
    undefined,
    'TraceExportService',
    '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  ) as Delegate;
  return sinkOf(delegate);
}

function sinkOf(d: Delegate): TraceSink {
  // Exports that fail (receiver down, too many in flight) are dropped, as the SDK's batch
  // processor drops them: telemetry never holds requests back or grows without bound.
  return {
    export: (bytes, spans) => d.export({ bytes, spans }, () => undefined),
    shutdown: () => d.shutdown(),
  };
}
