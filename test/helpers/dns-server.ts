// A small authoritative DNS server on loopback UDP for the sd "dns" tests: answers SRV (33) and
// A (1) questions from a record table the test may change while it runs, with the TTLs given;
// NXDOMAIN for unknown names; `mode` makes it answer SERVFAIL or stay silent (a DNS outage).
// Only the parts of RFC 1035 a stub resolver's query needs: one question, no compression on input.
import { createSocket, type Socket } from 'node:dgram';

export interface SrvAnswer {
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

export interface DnsTable {
  srv: Record<string, SrvAnswer[]>;
  a: Record<string, string[]>;
  ttl: number;
}

export interface TestDnsServer {
  port: number;
  table: DnsTable;
  mode: 'answer' | 'servfail' | 'silent';
  /** Questions received, as "TYPE name". */
  queries: string[];
  close(): Promise<void>;
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

function readName(msg: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  for (let guard = 0; guard < 128; guard++) {
    const len = msg[off];
    if (len === 0) return [labels.join('.'), off + 1];
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('ascii'));
    off += 1 + len;
  }
  throw new Error('name too long');
}

function rr(name: string, type: number, ttl: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(1, 2);
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), head, rdata]);
}

function answer(query: Buffer, table: DnsTable, rcodeOverride?: number): Buffer {
  const id = query.readUInt16BE(0);
  const [qname, end] = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const key = qname.toLowerCase();
  const answers: Buffer[] = [];
  let known = false;
  if (table.srv[key]) {
    known = true;
    if (qtype === 33)
      for (const s of table.srv[key]) {
        const fixed = Buffer.alloc(6);
        fixed.writeUInt16BE(s.priority ?? 10, 0);
        fixed.writeUInt16BE(s.weight ?? 10, 2);
        fixed.writeUInt16BE(s.port, 4);
        answers.push(rr(qname, 33, table.ttl, Buffer.concat([fixed, encodeName(s.target)])));
      }
  }
  if (table.a[key]) {
    known = true;
    if (qtype === 1) for (const ip of table.a[key]) answers.push(rr(qname, 1, table.ttl, Buffer.from(ip.split('.').map(Number))));
  }
  const rcode = rcodeOverride ?? (known ? 0 : 3);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8000 | 0x0400 | (query.readUInt16BE(2) & 0x0100) | rcode, 2); // QR, AA, RD copied
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, question, ...answers]);
}

export async function startDnsServer(table: DnsTable): Promise<TestDnsServer> {
  const sock: Socket = createSocket('udp4');
  const server: TestDnsServer = {
    port: 0,
    table,
    mode: 'answer',
    queries: [],
    close: () => new Promise((r) => sock.close(() => r())),
  };
  sock.on('message', (msg, rinfo) => {
    try {
      const [qname, end] = readName(msg, 12);
      const qtype = msg.readUInt16BE(end);
      server.queries.push(`${qtype === 33 ? 'SRV' : qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : qtype} ${qname}`);
      if (server.mode === 'silent') return;
      sock.send(answer(msg, server.table, server.mode === 'servfail' ? 2 : undefined), rinfo.port, rinfo.address);
    } catch {
      /* malformed query: no answer */
    }
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  server.port = sock.address().port;
  return server;
}
