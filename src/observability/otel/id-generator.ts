// Trace and span ids from the CSPRNG, drawn from a pooled buffer. The SDK's default generator
// uses Math.random() (predictable ids: a client that sees a few traceparents could guess
// others); one randomFillSync per 4 KiB keeps the cost per id to a hex slice.
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

const POOL = 4096;

export class PooledRandomIdGenerator implements IdGenerator {
  private readonly pool = Buffer.allocUnsafe(POOL);
  private at = POOL;

  private take(bytes: number): string {
    if (this.at + bytes > POOL) {
      randomFillSync(this.pool);
      this.at = 0;
    }
    const start = this.at;
    this.at += bytes;
    // An all-zero id is invalid in W3C trace context (odds 2^-64, but never emit one).
    for (let i = start; i < start + bytes; i++) if (this.pool[i] !== 0) return this.pool.toString('hex', start, start + bytes);
    this.pool[start + bytes - 1] = 1;
    return this.pool.toString('hex', start, start + bytes);
  }

  generateTraceId(): string {
    return this.take(16);
  }

  generateSpanId(): string {
    return this.take(8);
  }
}
