// The binary protocol between `rampart run --workers N` workers and the rate-limit coordinator
// shards (shard-server.ts), over one Unix domain socket per worker and shard. It replaces
// node:cluster's process.send for leases because that path costs the coordinator ~16-21 µs per
// message (bench/ipc-cost.ts): JSON.stringify/parse of an object, newline framing and a
// 'message' event per message. Here a frame is a length and a few fixed-width fields, many
// frames travel in one socket write, and the reader decodes every frame of a chunk in one pass.
//
// Frame: u32 length of what follows (type included), u8 type, then the body:
//   DEF     u32 limiter index, JSON {id, policy, maxKeys}          (worker -> shard, once per limiter)
//   TAKES   u32 limiter index, u32 count, count x {u32 seq, u16 want, str key}
//   RET     u32 limiter index, u32 count, count x {u32 n, f64 window, str key}
//   GRANTS  u32 count, count x {u32 seq, f64 g, f64 w}               (shard -> worker)
// str = u32 byte length + UTF-8 bytes. The limiter index is the worker's own numbering (one per
// limiter it declared on this connection), so the per-lease cost carries no limiter id string.
import type { Policy } from './policy.js';

export const DEF = 1;
export const TAKES = 2;
export const RET = 3;
export const GRANTS = 4;

/** Largest frame a peer may send (a batch of leases is far smaller; anything bigger is a bug or an
 * attack on the socket, and the connection is dropped). */
export const MAX_FRAME = 16 * 1024 * 1024;

export interface LimiterDef {
  id: string;
  policy: Policy;
  maxKeys: number;
}

/** Appends frames to one growing buffer; `take()` hands out what was written and starts over. */
export class FrameWriter {
  private buf = Buffer.allocUnsafe(4096);
  private off = 0;

  get length(): number {
    return this.off;
  }

  private room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  /** Starts a frame; returns the offset of its length field, for `end`. */
  begin(type: number): number {
    this.room(5);
    const at = this.off;
    this.buf[at + 4] = type;
    this.off += 5;
    return at;
  }

  end(at: number): void {
    this.buf.writeUInt32LE(this.off - at - 4, at);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.off++] = v;
  }

  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16LE(v, this.off);
    this.off += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.off);
    this.off += 4;
  }

  /** Overwrites a u32 written earlier (a count known only once the items are written). */
  u32At(at: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, at);
  }

  get offset(): number {
    return this.off;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.off);
    this.off += 8;
  }

  str(s: string): void {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    this.room(4 + s.length * 3);
    const n = this.buf.write(s, this.off + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.off);
    this.off += 4 + n;
  }

  /** The frames written so far (a copy: the writer's buffer is reused). */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.off));
    this.off = 0;
    return out;
  }
}

/** Reads fields of one frame body. */
export class FrameCursor {
  constructor(
    readonly buf: Buffer,
    public off: number,
  ) {}

  u16(): number {
    const v = this.buf.readUInt16LE(this.off);
    this.off += 2;
    return v;
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.off);
    this.off += 8;
    return v;
  }

  str(): string {
    const n = this.u32();
    const s = this.buf.toString('utf8', this.off, this.off + n);
    this.off += n;
    return s;
  }

  rest(end: number): string {
    const s = this.buf.toString('utf8', this.off, end);
    this.off = end;
    return s;
  }
}

/**
 * Splits a byte stream into frames: `push` each chunk, and `onFrame(type, cursor, end)` runs
 * for every complete frame (the cursor at the body's first byte, `end` one past its last).
 * Returns false when a frame is too large or malformed (the caller drops the connection).
 */
export class FrameReader {
  private pending: Buffer | null = null;

  constructor(private readonly onFrame: (type: number, c: FrameCursor, end: number) => void) {}

  push(chunk: Buffer): boolean {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32LE(off);
      if (len < 1 || len > MAX_FRAME) return false;
      if (buf.length - off - 4 < len) break;
      const end = off + 4 + len;
      try {
        this.onFrame(buf[off + 4], new FrameCursor(buf, off + 5), end);
      } catch {
        return false; // a field ran past the buffer: malformed
      }
      off = end;
    }
    if (off < buf.length) this.pending = buf.subarray(off);
    return true;
  }
}
