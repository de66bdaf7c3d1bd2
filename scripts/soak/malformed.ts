// Bursts of malformed requests over raw sockets. Each must get a 4xx (or the connection closed);
// a 5xx, or a connection left hanging with a complete request, counts against the gateway.
import { connect } from 'node:net';

const LONG = 'x'.repeat(100 * 1024);
const MANY_Q = Array.from({ length: 2000 }, (_, i) => `q${i}=1`).join('&');

/** Request bytes by kind. "partial" kinds are incomplete on purpose (no answer is expected). */
export const MALFORMED: { kind: string; bytes: string | Buffer; partial?: boolean }[] = [
  { kind: 'garbage-line', bytes: 'GARBAGE\r\n\r\n' },
  { kind: 'two-hosts', bytes: 'GET /healthy HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' },
  { kind: 'cl-and-te', bytes: 'POST /post HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' },
  { kind: 'bad-chunk-size', bytes: 'POST /post HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n' },
  { kind: 'chunk-overrun', bytes: 'POST /post HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n' },
  { kind: 'body-over-limit', bytes: `POST /post HTTP/1.1\r\nHost: a\r\nContent-Length: ${11 * 1024 * 1024}\r\n\r\n` },
  { kind: 'nul-in-header', bytes: 'GET /healthy HTTP/1.1\r\nHost: a\r\nX-A: a\u0000b\r\n\r\n' },
  { kind: 'huge-header', bytes: `GET /healthy HTTP/1.1\r\nHost: a\r\nX-Big: ${LONG}\r\n\r\n` },
  { kind: 'bare-lf', bytes: 'GET /healthy HTTP/1.1\nHost: a\n\n' },
  { kind: 'bad-version', bytes: 'GET /healthy HTTP/9.9\r\nHost: a\r\n\r\n' },
  { kind: 'bad-percent', bytes: 'GET /healthy/%%zz HTTP/1.1\r\nHost: a\r\n\r\n' },
  { kind: 'traversal', bytes: 'GET /items/..%2F..%2Fadmin HTTP/1.1\r\nHost: a\r\n\r\n' },
  { kind: 'too-many-params', bytes: `GET /healthy?${MANY_Q} HTTP/1.1\r\nHost: a\r\n\r\n` },
  { kind: 'tls-hello', bytes: Buffer.from('16030100a5010000a10303' + '00'.repeat(40), 'hex') },
  { kind: 'space-in-target', bytes: 'GET /hea lthy HTTP/1.1\r\nHost: a\r\n\r\n' },
  { kind: 'obs-fold', bytes: 'GET /healthy HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n' },
  { kind: 'partial-head', bytes: 'GET /healthy HTTP/1.1\r\nHost: a\r\nX-Slow: ', partial: true },
  { kind: 'partial-body', bytes: 'POST /post HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc', partial: true },
];

export interface MalformedStats {
  sent: number;
  answered4xx: number;
  answered5xx: number;
  answeredOther: number;
  closedWithoutAnswer: number;
  /** A complete malformed request with neither an answer nor a close within the wait. */
  hung: number;
  /** Incomplete requests (expected: no answer until the gateway's read timeouts). */
  partialSent: number;
  byKind: Record<string, Record<string, number>>;
}

export function newMalformedStats(): MalformedStats {
  return { sent: 0, answered4xx: 0, answered5xx: 0, answeredOther: 0, closedWithoutAnswer: 0, hung: 0, partialSent: 0, byKind: {} };
}

function one(port: number, bytes: string | Buffer, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    let done = false;
    const finish = (how: string) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      s.destroy();
      resolve(how);
    };
    const t = setTimeout(() => finish(got ? got : 'hung'), waitMs);
    s.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      if (m) finish(m[1]);
    });
    s.on('close', () => finish(got ? 'other' : 'closed'));
    s.on('error', () => finish(got ? 'other' : 'closed'));
    s.write(bytes);
  });
}

/** Sends `n` malformed requests at once (kinds in rotation) and counts the outcomes. */
export async function burst(port: number, n: number, stats: MalformedStats): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const m = MALFORMED[(stats.sent + i) % MALFORMED.length];
    jobs.push(
      one(port, m.bytes, m.partial ? 1000 : 5000).then((how) => {
        const k = (stats.byKind[m.kind] ??= {});
        k[how] = (k[how] ?? 0) + 1;
        if (m.partial) return void stats.partialSent++;
        if (/^4\d\d$/.test(how)) stats.answered4xx++;
        else if (/^5\d\d$/.test(how)) stats.answered5xx++;
        else if (how === 'closed') stats.closedWithoutAnswer++;
        else if (how === 'hung') stats.hung++;
        else stats.answeredOther++;
      }),
    );
  }
  stats.sent += n;
  await Promise.all(jobs);
}
