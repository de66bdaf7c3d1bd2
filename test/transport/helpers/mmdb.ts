// A minimal MaxMind DB writer for tests (format: https://maxmind.github.io/MaxMind-DB/): a binary
// search tree over the address bits (24-bit records), 16 zero bytes, a data section, then the
// metadata marker and map. Enough for country lookups: each network maps to
// {country: {iso_code}}. IPv4 networks live under ::/96 of the IPv6 tree, as in MaxMind's files.
import { isIP } from 'node:net';

type Rec = { node: number } | { data: number } | null;

function bitsOf(addr: string): number[] {
  const out: number[] = [];
  if (isIP(addr) === 4) {
    for (let i = 0; i < 96; i++) out.push(0);
    for (const part of addr.split('.')) for (let b = 7; b >= 0; b--) out.push((Number(part) >> b) & 1);
    return out;
  }
  // Expand an IPv6 literal (no embedded IPv4 needed in tests).
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  for (const g of groups) {
    const v = parseInt(g || '0', 16);
    for (let b = 15; b >= 0; b--) out.push((v >> b) & 1);
  }
  return out;
}

function ctrl(type: number, size: number): number[] {
  if (size >= 29) throw new Error('test writer: size too large');
  return type <= 7 ? [(type << 5) | size] : [size, type - 7];
}

/** An unsigned integer of an explicit MMDB type (uint32 is the default for plain numbers). */
class Uint {
  constructor(
    readonly type: 5 | 6 | 9,
    readonly value: number,
  ) {}
}

function encode(v: unknown): number[] {
  if (v instanceof Uint || typeof v === 'number') {
    const u = v instanceof Uint ? v : new Uint(6, v);
    const bytes: number[] = [];
    for (let x = u.value; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
    return [...ctrl(u.type, bytes.length), ...bytes];
  }
  if (typeof v === 'string') {
    const b = [...Buffer.from(v, 'utf8')];
    return [...ctrl(2, b.length), ...b];
  }
  if (Array.isArray(v)) return [...ctrl(11, v.length), ...v.flatMap((x) => encode(x))];
  const entries = Object.entries(v as Record<string, unknown>);
  return [...ctrl(7, entries.length), ...entries.flatMap(([k, x]) => [...encode(k), ...encode(x)])];
}

/** networks: [cidr, iso country code]. */
export function buildCountryMmdb(networks: [string, string][]): Buffer {
  const nodes: [Rec, Rec][] = [[null, null]];
  const data: number[] = [];
  const offsets = new Map<string, number>();
  for (const [cidr, country] of networks) {
    const [addr, p] = cidr.split('/');
    const bits = bitsOf(addr);
    const prefix = p === undefined ? bits.length : (isIP(addr) === 4 ? 96 : 0) + Number(p);
    let off = offsets.get(country);
    if (off === undefined) {
      off = data.length;
      offsets.set(country, off);
      data.push(...encode({ country: { iso_code: country } }));
    }
    let n = 0;
    for (let d = 0; d < prefix - 1; d++) {
      const side = bits[d];
      const r = nodes[n][side];
      if (r && 'node' in r) n = r.node;
      else {
        nodes.push([null, null]);
        nodes[n][side] = { node: nodes.length - 1 };
        n = nodes.length - 1;
      }
    }
    nodes[n][bits[prefix - 1]] = { data: off };
  }
  const count = nodes.length;
  const tree = Buffer.alloc(count * 6);
  const value = (r: Rec) => (r === null ? count : 'node' in r ? r.node : count + 16 + r.data);
  nodes.forEach(([l, r], i) => {
    tree.writeUIntBE(value(l), i * 6, 3);
    tree.writeUIntBE(value(r), i * 6 + 3, 3);
  });
  const u16 = (n: number) => new Uint(5, n);
  const meta = encode({
    node_count: count,
    record_size: u16(24),
    ip_version: u16(6),
    database_type: 'GeoIP2-Country',
    languages: ['en'],
    binary_format_major_version: u16(2),
    binary_format_minor_version: u16(0),
    build_epoch: new Uint(9, Math.floor(Date.now() / 1000)),
    description: { en: 'Rampart test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), Buffer.from(data), Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), Buffer.from(meta)]);
}
