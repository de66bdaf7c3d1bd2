// body.Modifier on a response whose request carried `Range` (google/martian body_modifier.go):
// 206 with one slice, or multipart/byteranges. Go slices past the body's end and panics; Rampart
// answers 416 instead. The Range header reaches here only if the endpoint forwards it.

import { randomBytes } from 'node:crypto';
import type { MutableResponse, StepResult } from './types.js';

const MAX_RANGES = 16;

function atoi(s: string): number | undefined {
  return /^[+-]?\d{1,15}$/.test(s) ? Number(s) : undefined;
}

export function rangeResponse(res: MutableResponse, body: Buffer, contentType: string, header: string): StepResult {
  // strings.TrimLeft(rh, "bytes="): a cut set, not a prefix, exactly as Go does.
  const rh = header.toLowerCase().replace(/^[bytes=]+/, '');
  const parts = rh.split(',');
  if (parts.length > MAX_RANGES) {
    res.status = 416;
    return undefined;
  }
  const ranges: Array<[number, number]> = [];
  for (let rng of parts) {
    if (rng.endsWith('-')) rng = `${rng}${body.length - 1}`;
    const rs = rng.split('-');
    if (rs.length !== 2) {
      res.status = 416;
      return undefined;
    }
    const start = atoi(rs[0].trim());
    if (start === undefined) return `strconv.Atoi: parsing ${JSON.stringify(rs[0].trim())}: invalid syntax`;
    const end = atoi(rs[1].trim());
    if (end === undefined) return `strconv.Atoi: parsing ${JSON.stringify(rs[1].trim())}: invalid syntax`;
    if (start > end || start < 0 || end >= body.length) {
      res.status = 416;
      return undefined;
    }
    ranges.push([start, end]);
  }
  res.status = 206;
  if (ranges.length === 1) {
    const [start, end] = ranges[0];
    res.body = body.subarray(start, end + 1);
    res.headers.set('content-range', [`bytes ${start}-${end}/${body.length}`]);
    return undefined;
  }
  const boundary = randomBytes(30).toString('hex');
  const chunks: Buffer[] = [];
  ranges.forEach(([start, end], i) => {
    const head = `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Range: bytes ${start}-${end}/${body.length}\r\nContent-Type: ${contentType}\r\n\r\n`;
    chunks.push(Buffer.from(head), body.subarray(start, end + 1));
  });
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  res.body = Buffer.concat(chunks);
  res.headers.set('content-type', [`multipart/byteranges; boundary=${boundary}`]);
  return undefined;
}
